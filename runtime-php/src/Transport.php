<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * Sends one attempt of a call. Implementations: CurlTransport (the default, keeps its handle and
 * so its keep-alive connections), Psr18Transport (any PSR-18 client with PSR-17 factories).
 */
interface Transport
{
    /**
     * POSTs `$body` to `$url` and returns the answer, whatever its status.
     *
     * @param list<string> $headers `Name: value` lines
     * @throws BriefException `unavailable` (no answer: refused, reset, closed), `deadline_exceeded`
     *     (no answer within `$timeoutMs`), local `resource_exhausted` (a body over `$maxBytes`)
     */
    public function post(string $url, array $headers, string $body, int $timeoutMs, int $maxBytes): TransportResponse;
}
