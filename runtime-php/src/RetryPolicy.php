<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * Retries of `@idempotent` rpcs (docs/protocol.md section 6.2): attempts and full-jitter
 * backoff; the defaults are the protocol's.
 */
final class RetryPolicy
{
    public function __construct(
        public readonly int $maxAttempts = 3,
        public readonly int $initialBackoffMs = 100,
        public readonly int $maxBackoffMs = 2000,
        public readonly float $multiplier = 2.0,
    ) {
    }

    /** The delay before retry number `$n` (1 = the first retry) for `$r` uniform in [0, 1). */
    public function backoffMs(int $n, float $r): int
    {
        $ceiling = min((float) $this->maxBackoffMs, $this->initialBackoffMs * $this->multiplier ** ($n - 1));
        return (int) floor($r * $ceiling);
    }

    /**
     * The delay a `Retry-After` value asks for (delay-seconds or an HTTP-date), in ms, or null
     * when it is absent or invalid.
     */
    public static function retryAfterMs(?string $v, float $now): ?int
    {
        if ($v === null || $v === '') {
            return null;
        }
        if (preg_match('/^[0-9]{1,10}$/', $v) === 1) {
            return (int) $v * 1000;
        }
        foreach (['D, d M Y H:i:s \G\M\T', 'l, d-M-y H:i:s \G\M\T', 'D M j H:i:s Y'] as $format) {
            $t = \DateTimeImmutable::createFromFormat($format, $v, new \DateTimeZone('UTC'));
            if ($t !== false) {
                return max(0, (int) floor(((float) $t->format('U.u') - $now) * 1000));
            }
        }
        return null;
    }
}
