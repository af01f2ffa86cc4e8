<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The states of a circuit breaker, with the values `brief_client_breaker_state` exports.
 */
enum BreakerState: int
{
    case Closed = 0;
    case Open = 1;
    case HalfOpen = 2;

    public function label(): string
    {
        return match ($this) {
            self::Closed => 'closed',
            self::Open => 'open',
            self::HalfOpen => 'half_open',
        };
    }
}
