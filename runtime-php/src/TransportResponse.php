<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * One HTTP answer as a Transport returns it: status, headers (names in lower case) and the body
 * (never longer than the client's limit).
 */
final class TransportResponse
{
    /**
     * @param array<string, string> $headers
     */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
    ) {
    }
}
