<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * A Store in the memory of one process: for CLI workers (one long-running process) and tests.
 * Not shared between processes, so under php-fpm it would make every worker keep its own
 * breaker (the thresholds would mean nothing): use ApcuStore there.
 */
final class MemoryStore implements Store
{
    /** @var array<string, array{mixed, float}> value and expiry (clock seconds) */
    private array $items = [];

    public function __construct(private readonly Clock $clock = new SystemClock())
    {
    }

    public function add(string $key, mixed $value, int $ttlSeconds): bool
    {
        if ($this->get($key) !== null) {
            return false;
        }
        $this->set($key, $value, $ttlSeconds);
        return true;
    }

    public function get(string $key): mixed
    {
        $item = $this->items[$key] ?? null;
        if ($item === null) {
            return null;
        }
        if ($item[1] <= $this->clock->now()) {
            unset($this->items[$key]);
            return null;
        }
        return $item[0];
    }

    public function set(string $key, mixed $value, int $ttlSeconds): void
    {
        $this->items[$key] = [$value, $this->clock->now() + max(1, $ttlSeconds)];
    }

    public function increment(string $key, int $by, int $ttlSeconds): int
    {
        $v = $this->get($key);
        if (!is_int($v)) {
            $this->set($key, $by, $ttlSeconds);
            return $by;
        }
        $this->items[$key][0] = $v + $by;
        return $v + $by;
    }

    public function delete(string $key): void
    {
        unset($this->items[$key]);
    }
}
