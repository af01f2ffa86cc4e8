<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * Where the runtime keeps state that must outlive one request and be shared by the php-fpm
 * workers of a host: circuit breakers, retry budgets, metrics and the consumers' deduplication
 * memory. Every key expires (a positive TTL in seconds is required: ganesha#72, a Redis adapter
 * whose keys never expire, is what this avoids). Values are ints, strings or arrays of those.
 */
interface Store
{
    /** Stores `$value` under `$key` only if the key is absent; whether it was stored. */
    public function add(string $key, mixed $value, int $ttlSeconds): bool;

    /** The value under `$key`, or null when absent or expired. */
    public function get(string $key): mixed;

    /** Stores `$value` under `$key`, replacing any value. */
    public function set(string $key, mixed $value, int $ttlSeconds): void;

    /**
     * Adds `$by` to the integer under `$key` atomically (an absent key counts as 0 and is created
     * with `$ttlSeconds`) and returns the new value.
     */
    public function increment(string $key, int $by, int $ttlSeconds): int;

    public function delete(string $key): void;
}
