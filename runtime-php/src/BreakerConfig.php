<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The numbers of a circuit breaker; the defaults are the protocol's (section 10).
 */
final class BreakerConfig
{
    public function __construct(
        public readonly int $windowMs = 10000,
        public readonly int $buckets = 10,
        public readonly int $minRequests = 20,
        public readonly float $failureRatio = 0.5,
        public readonly int $openMs = 5000,
        public readonly int $halfOpenProbes = 3,
        public readonly bool $disabled = false,
    ) {
    }
}
