<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The numbers of a retry budget; the defaults are the protocol's (section 10).
 */
final class BudgetConfig
{
    public function __construct(
        public readonly int $percent = 20,
        public readonly int $minPerSecond = 1,
        public readonly int $windowMs = 10000,
        public readonly int $buckets = 10,
        public readonly bool $disabled = false,
    ) {
    }
}
