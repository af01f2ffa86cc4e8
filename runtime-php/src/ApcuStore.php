<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * A Store in APCu: shared by every php-fpm worker of a host (all pools of one fpm master share
 * APCu's memory), so breaker thresholds count the calls of the whole host. Keys are prefixed
 * (`brief:<service>:` by default) so that services of one host do not share state. Caveats
 * (docs/php.md): APCu is per host, not per cluster; it is cleared when php-fpm restarts and may
 * evict entries when full; TTLs have a resolution of one second.
 */
final class ApcuStore implements Store
{
    public function __construct(private readonly string $prefix = 'brief:')
    {
    }

    /** Whether APCu can be used by this process. */
    public static function available(): bool
    {
        return function_exists('apcu_enabled') && apcu_enabled();
    }

    public function add(string $key, mixed $value, int $ttlSeconds): bool
    {
        return apcu_add($this->prefix . $key, $value, max(1, $ttlSeconds));
    }

    public function get(string $key): mixed
    {
        $ok = false;
        $v = apcu_fetch($this->prefix . $key, $ok);
        return $ok ? $v : null;
    }

    public function set(string $key, mixed $value, int $ttlSeconds): void
    {
        apcu_store($this->prefix . $key, $value, max(1, $ttlSeconds));
    }

    public function increment(string $key, int $by, int $ttlSeconds): int
    {
        $k = $this->prefix . $key;
        $ttl = max(1, $ttlSeconds);
        for ($i = 0; $i < 3; $i++) {
            $ok = false;
            $v = apcu_inc($k, $by, $ok, $ttl);
            if ($ok && is_int($v)) {
                return $v;
            }
            if (apcu_add($k, $by, $ttl)) {
                return $by;
            }
        }
        return 0;
    }

    public function delete(string $key): void
    {
        apcu_delete($this->prefix . $key);
    }
}
