<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The client of one dependency (docs/protocol.md sections 2, 4, 5): a curl transport that keeps
 * its handle (and so its keep-alive connections) across calls, deadlines sent as
 * X-Request-Timeout-Ms, the request id, the error envelope mapped to typed exceptions, the
 * response size limit and no redirects. Retries, the retry budget and the circuit breaker are
 * not in this slice.
 */
final class Client
{
    public const DEFAULT_TIMEOUT_MS = 10000;
    public const DEFAULT_MAX_RESPONSE_BYTES = 4194304;

    private ?\CurlHandle $curl = null;

    public function __construct(
        private readonly string $baseUrl,
        private readonly string $source = '',
        private readonly int $maxResponseBytes = self::DEFAULT_MAX_RESPONSE_BYTES,
    ) {
    }

    /** A client for `$dependency` discovered from SERVICE_<NAME>_URL; `$source` is this service. */
    public static function fromEnv(string $dependency, string $source = ''): self
    {
        return new self(Discovery::resolve($dependency), $source);
    }

    /**
     * Calls `$rpc` of `$service` with `$in` and decodes the answer as `$output`.
     *
     * @template T of Message
     * @param class-string<T> $output
     * @return T
     * @throws AppError a declared error as its class, others as UndeclaredAppError
     * @throws BriefException every transport error
     */
    public function call(string $service, Rpc $rpc, Message $in, string $output, ?Context $ctx = null): Message
    {
        $body = $this->send($service, $rpc, Codec::encodeMessage($in), $ctx);
        return self::output($body, $output);
    }

    /**
     * Decodes a successful answer as `$output`; a failure is a local `internal` (section 4.4).
     *
     * @template T of Message
     * @param class-string<T> $output
     * @return T
     */
    public static function output(?\stdClass $body, string $output): Message
    {
        try {
            return $output::fromWire($body);
        } catch (BriefException $e) {
            throw new BriefException(Code::Internal, 'cannot decode the answer: ' . $e->getMessage(), [], true, $e);
        }
    }

    /**
     * Sends one call with a JSON body and returns the decoded output object.
     *
     * @throws AppError|BriefException
     */
    public function send(string $service, Rpc $rpc, string $json, ?Context $ctx = null): ?\stdClass
    {
        $deadline = microtime(true) + ($rpc->timeoutMs ?? self::DEFAULT_TIMEOUT_MS) / 1000;
        if ($ctx?->deadline !== null && $ctx->deadline < $deadline) {
            $deadline = $ctx->deadline;
        }
        $remaining = (int) floor(($deadline - microtime(true)) * 1000);
        if ($remaining < 1) {
            throw new BriefException(Code::DeadlineExceeded, 'deadline exceeded before the call', [], true);
        }
        $headers = [
            'Content-Type: application/json',
            'X-Request-Id: ' . ($ctx?->requestId ?? Context::newRequestId()),
            "X-Request-Timeout-Ms: {$remaining}",
            'Expect:',
        ];
        $source = $this->source !== '' ? $this->source : ($ctx?->service ?? '');
        if ($source !== '') {
            $headers[] = "X-Source-Service: {$source}";
        }
        $tp = $ctx?->outgoingTraceparent();
        if ($tp !== null) {
            $headers[] = "traceparent: {$tp}";
            if ($ctx->tracestate !== null) {
                $headers[] = "tracestate: {$ctx->tracestate}";
            }
        }
        $this->curl ??= curl_init();
        $curl = $this->curl;
        curl_reset($curl);
        $received = '';
        $tooLarge = false;
        $limit = $this->maxResponseBytes;
        curl_setopt_array($curl, [
            CURLOPT_URL => "{$this->baseUrl}/rpc/{$service}/{$rpc->name}",
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $json,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT_MS => $remaining,
            CURLOPT_NOSIGNAL => true,
            CURLOPT_WRITEFUNCTION => static function ($ch, string $chunk) use (&$received, &$tooLarge, $limit): int {
                if (strlen($received) + strlen($chunk) > $limit) {
                    $tooLarge = true;
                    return 0;
                }
                $received .= $chunk;
                return strlen($chunk);
            },
        ]);
        $ok = curl_exec($curl);
        if ($ok === false) {
            $errno = curl_errno($curl);
            if ($tooLarge) {
                throw new BriefException(Code::ResourceExhausted, "response larger than {$limit} bytes", [], true);
            }
            if ($errno === CURLE_OPERATION_TIMEDOUT) {
                throw new BriefException(Code::DeadlineExceeded, 'deadline exceeded', [], true);
            }
            throw new BriefException(Code::Unavailable, 'transport: ' . curl_error($curl), [], true);
        }
        return self::answer((int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE), $received, $rpc);
    }

    /**
     * The output object of an answer, or its error.
     *
     * @throws AppError|BriefException
     */
    public static function answer(int $status, string $received, Rpc $rpc): ?\stdClass
    {
        if ($status === 200) {
            try {
                $out = Codec::parse($received);
            } catch (BriefException $e) {
                throw new BriefException(Code::Internal, 'cannot decode the answer: ' . $e->getMessage(), [], true);
            }
            if ($out !== null && !$out instanceof \stdClass) {
                throw new BriefException(Code::Internal, 'cannot decode the answer: not an object', [], true);
            }
            return $out;
        }
        throw self::errorOf($status, $received, $rpc);
    }

    /** The error of a non-200 answer (section 4.4). */
    public static function errorOf(int $status, string $body, Rpc $rpc): \Throwable
    {
        try {
            $b = Codec::parse($body);
        } catch (BriefException) {
            $b = null;
        }
        $e = $b instanceof \stdClass ? ($b->error ?? null) : null;
        $code = $e instanceof \stdClass ? ($e->code ?? null) : null;
        if (is_string($code) && $code !== '') {
            $message = is_string($e->message ?? null) ? $e->message : '';
            $details = ($e->details ?? null) instanceof \stdClass ? $e->details : new \stdClass();
            $transport = Code::tryFrom($code);
            if ($transport !== null) {
                return new BriefException($transport, $message, get_object_vars($details), true);
            }
            if ($status === 422) {
                $class = $rpc->errorClass($code);
                if ($class === null) {
                    return new UndeclaredAppError($code, $message, $details);
                }
                try {
                    return $class::fromWire($details);
                } catch (BriefException $x) {
                    $why = "cannot decode error {$code}: " . $x->getMessage();
                    return new BriefException(Code::Internal, $why, [], true);
                }
            }
        }
        return new BriefException(Code::fromHttpStatus($status), "HTTP status {$status}", [], true);
    }
}
