<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * A Store over a phpredis-like object (`\Redis`, or anything with the same `set`, `get`,
 * `incrBy` and `del` methods), for state shared by the hosts of a cluster. Every key
 * is written with a TTL (`SET ... EX`; a counter is created by `SET k 0 NX EX` before `INCRBY`): none lives forever
 * (ganesha#72). Values are serialized with PHP's serialize(), integers of increment() stay
 * plain so that INCRBY works.
 */
final class RedisStore implements Store
{
    public function __construct(private readonly object $redis, private readonly string $prefix = 'brief:')
    {
    }

    public function add(string $key, mixed $value, int $ttlSeconds): bool
    {
        return (bool) $this->redis->set($this->prefix . $key, serialize($value), ['nx', 'ex' => max(1, $ttlSeconds)]);
    }

    public function get(string $key): mixed
    {
        $v = $this->redis->get($this->prefix . $key);
        if (!is_string($v)) {
            return null;
        }
        if (preg_match('/^-?[0-9]+$/', $v) === 1) {
            return (int) $v;
        }
        $u = @unserialize($v, ['allowed_classes' => false]);
        return $u === false && $v !== serialize(false) ? null : $u;
    }

    public function set(string $key, mixed $value, int $ttlSeconds): void
    {
        $this->redis->set($this->prefix . $key, serialize($value), ['ex' => max(1, $ttlSeconds)]);
    }

    public function increment(string $key, int $by, int $ttlSeconds): int
    {
        $k = $this->prefix . $key;
        // Created with its TTL first, so that no moment exists where the key has none.
        $this->redis->set($k, '0', ['nx', 'ex' => max(1, $ttlSeconds)]);
        return (int) $this->redis->incrBy($k, $by);
    }

    public function delete(string $key): void
    {
        $this->redis->del($this->prefix . $key);
    }
}
