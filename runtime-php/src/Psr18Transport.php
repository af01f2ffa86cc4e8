<?php

declare(strict_types=1);

namespace Brief\Runtime;

use Psr\Http\Client\ClientExceptionInterface;
use Psr\Http\Client\ClientInterface;
use Psr\Http\Client\NetworkExceptionInterface;
use Psr\Http\Message\RequestFactoryInterface;
use Psr\Http\Message\StreamFactoryInterface;

/**
 * A Transport over any PSR-18 ClientInterface with PSR-17 request and stream factories (e.g.
 * Debian's php-nyholm-psr7). PSR-18 has no per-request timeout: configure the client's own
 * timeout; an answer that arrives after the attempt's time is still `deadline_exceeded`. The
 * client must not follow redirects (PSR-18 clients return 3xx as they are). The body is read
 * from the stream up to the limit.
 */
final class Psr18Transport implements Transport
{
    public function __construct(
        private readonly ClientInterface $client,
        private readonly RequestFactoryInterface $requests,
        private readonly StreamFactoryInterface $streams,
    ) {
    }

    public function post(string $url, array $headers, string $body, int $timeoutMs, int $maxBytes): TransportResponse
    {
        $req = $this->requests->createRequest('POST', $url)->withBody($this->streams->createStream($body));
        foreach ($headers as $line) {
            [$name, $value] = explode(':', $line, 2);
            $req = $req->withHeader(trim($name), trim($value));
        }
        $start = microtime(true);
        try {
            $resp = $this->client->sendRequest($req);
        } catch (NetworkExceptionInterface $e) {
            throw new BriefException(Code::Unavailable, 'transport: ' . $e->getMessage(), [], true, $e);
        } catch (ClientExceptionInterface $e) {
            throw new BriefException(Code::Unavailable, 'transport: ' . $e->getMessage(), [], true, $e);
        }
        $length = $resp->getHeaderLine('Content-Length');
        if (ctype_digit($length) && (int) $length > $maxBytes) {
            $resp->getBody()->close();
            throw Client::tooLarge($maxBytes);
        }
        $stream = $resp->getBody();
        if ($stream->isSeekable()) {
            $stream->rewind();
        }
        $received = '';
        while (!$stream->eof() && strlen($received) <= $maxBytes) {
            $chunk = $stream->read(65536);
            if ($chunk === '') {
                break;
            }
            $received .= $chunk;
        }
        if (strlen($received) > $maxBytes) {
            $stream->close();
            throw Client::tooLarge($maxBytes);
        }
        if ((microtime(true) - $start) * 1000 >= $timeoutMs) {
            throw new BriefException(Code::DeadlineExceeded, 'deadline exceeded', [], true);
        }
        $out = [];
        foreach ($resp->getHeaders() as $name => $values) {
            $out[strtolower((string) $name)] = implode(', ', $values);
        }
        return new TransportResponse($resp->getStatusCode(), $out, $received);
    }
}
