<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * How a finished attempt counts for the circuit breaker (docs/protocol.md section 6.1).
 */
enum Outcome
{
    case Success;
    case Failure;
    case Ignored;

    /**
     * The outcome of an attempt that ended with `$e` (null: a decoded 200), and whether an
     * `@idempotent` call may retry it (section 6.2).
     *
     * @return array{self, bool}
     */
    public static function of(?\Throwable $e): array
    {
        if ($e === null || $e instanceof AppError || !$e instanceof BriefException) {
            return [self::Success, false];
        }
        if ($e->local || $e->isDependencyFailure()) {
            return [self::Success, false];
        }
        if ($e->errorCode === Code::Canceled) {
            return [self::Ignored, false];
        }
        return [$e->errorCode->isBreakerFailure() ? self::Failure : self::Success, $e->errorCode->isRetryable()];
    }
}
