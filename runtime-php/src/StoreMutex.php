<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * Read-modify-write of one Store key under a lock made with the Store's add-if-absent (so it
 * works the same on APCu, Redis and in memory). The lock expires after 2 s should its holder
 * die; a caller that cannot get it within 50 ms goes ahead unlocked (a breaker or budget count
 * may then be lost, which is better than stalling requests).
 */
final class StoreMutex
{
    private const LOCK_TTL_SECONDS = 2;
    private const WAIT_US = 50000;

    /**
     * Runs `$fn` with the value under `$key` (null when absent) and stores what it returns as
     * the first element; returns the second element.
     *
     * @template R
     * @param \Closure(mixed): array{mixed, R} $fn
     * @return R
     */
    public static function update(Store $store, string $key, int $ttlSeconds, \Closure $fn): mixed
    {
        $lock = "{$key}:lock";
        $locked = false;
        $waited = 0;
        while (!($locked = $store->add($lock, 1, self::LOCK_TTL_SECONDS)) && $waited < self::WAIT_US) {
            usleep(100);
            $waited += 100;
        }
        try {
            [$value, $result] = $fn($store->get($key));
            $store->set($key, $value, $ttlSeconds);
            return $result;
        } finally {
            if ($locked) {
                $store->delete($lock);
            }
        }
    }
}
