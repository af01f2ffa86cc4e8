<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The default Transport: one curl handle kept for the life of the process (so its keep-alive
 * connections are reused across calls), no redirects followed, the body read up to the limit
 * and the transfer aborted past it.
 */
final class CurlTransport implements Transport
{
    private ?\CurlHandle $curl = null;

    public function post(string $url, array $headers, string $body, int $timeoutMs, int $maxBytes): TransportResponse
    {
        $this->curl ??= curl_init();
        $curl = $this->curl;
        curl_reset($curl);
        $received = '';
        $tooLarge = false;
        $answer = [];
        $headers[] = 'Expect:';
        curl_setopt_array($curl, [
            CURLOPT_URL => $url,
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT_MS => $timeoutMs,
            CURLOPT_NOSIGNAL => true,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$answer, &$tooLarge, $maxBytes): int {
                $p = strpos($line, ':');
                if ($p !== false) {
                    $name = strtolower(trim(substr($line, 0, $p)));
                    $value = trim(substr($line, $p + 1));
                    $answer[$name] = $value;
                    if ($name === 'content-length' && ctype_digit($value) && (int) $value > $maxBytes) {
                        $tooLarge = true;
                        return 0;
                    }
                } elseif (str_starts_with($line, 'HTTP/')) {
                    $answer = [];
                }
                return strlen($line);
            },
            CURLOPT_WRITEFUNCTION => static function ($ch, string $chunk) use (&$received, &$tooLarge, $maxBytes): int {
                if (strlen($received) + strlen($chunk) > $maxBytes) {
                    $tooLarge = true;
                    return 0;
                }
                $received .= $chunk;
                return strlen($chunk);
            },
        ]);
        $ok = curl_exec($curl);
        if ($ok === false) {
            if ($tooLarge) {
                // Stop reading and do not reuse the connection (section 4.4).
                $this->curl = null;
                throw Client::tooLarge($maxBytes);
            }
            if (curl_errno($curl) === CURLE_OPERATION_TIMEDOUT) {
                throw new BriefException(Code::DeadlineExceeded, 'deadline exceeded', [], true);
            }
            throw new BriefException(Code::Unavailable, 'transport: ' . curl_error($curl), [], true);
        }
        return new TransportResponse((int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE), $answer, $received);
    }
}
