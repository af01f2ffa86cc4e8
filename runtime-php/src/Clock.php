<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * Time for the client's resilience logic, so that tests (and the golden/wire vectors) can use a
 * fake clock. `now()` is in seconds (microtime(true) for the system clock).
 */
interface Clock
{
    public function now(): float;

    /** Waits `$ms` milliseconds. */
    public function sleepMs(int $ms): void;
}
