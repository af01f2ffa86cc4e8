<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The default Store of a service: ApcuStore (keys prefixed `brief:<service>:`) when APCu is
 * enabled and this is not the CLI (APCu in the CLI lives only as long as the process, like
 * memory), else a new MemoryStore.
 */
final class Stores
{
    public static function default(string $service, ?Clock $clock = null): Store
    {
        if (PHP_SAPI !== 'cli' && ApcuStore::available()) {
            return new ApcuStore("brief:{$service}:");
        }
        return new MemoryStore($clock ?? new SystemClock());
    }
}
