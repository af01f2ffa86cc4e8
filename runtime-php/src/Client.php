<?php

declare(strict_types=1);

namespace Brief\Runtime;

use Psr\Log\LoggerInterface;

/**
 * The client of one or more dependencies (docs/protocol.md sections 2, 4, 5, 6): deadlines sent
 * as X-Request-Timeout-Ms (bounded by the Context of the request being served), the request id
 * and trace context passed on, the error envelope mapped to typed exceptions, the response size
 * limit, no redirects; per dependency a circuit breaker and a retry budget whose state is in a
 * Store (APCu under php-fpm: shared by every worker of the host), retries of `@idempotent` rpcs
 * with full-jitter backoff and Retry-After; metrics in the same Store. The transport is the
 * curl one unless another (Psr18Transport) is given.
 */
final class Client
{
    public const DEFAULT_TIMEOUT_MS = 10000;
    public const DEFAULT_MAX_RESPONSE_BYTES = 4194304;

    private readonly Transport $transport;
    private readonly Store $store;
    private readonly Clock $clock;
    private readonly Metrics $metrics;
    private readonly \Closure $random;

    /** @var array<string, array{Breaker, RetryBudget}> per dependency */
    private array $resilience = [];

    /**
     * @param string $source this service's name (X-Source-Service; prefix of the default Store)
     * @param (\Closure(): float)|null $random uniform in [0, 1), for the backoff's jitter
     */
    public function __construct(
        private readonly string $baseUrl,
        private readonly string $source = '',
        private readonly int $maxResponseBytes = self::DEFAULT_MAX_RESPONSE_BYTES,
        ?Transport $transport = null,
        ?Store $store = null,
        ?Clock $clock = null,
        private readonly RetryPolicy $retry = new RetryPolicy(),
        private readonly BreakerConfig $breakerConfig = new BreakerConfig(),
        private readonly BudgetConfig $budgetConfig = new BudgetConfig(),
        private readonly ?LoggerInterface $logger = null,
        ?\Closure $random = null,
    ) {
        $this->transport = $transport ?? new CurlTransport();
        $this->clock = $clock ?? new SystemClock();
        $this->store = $store ?? Stores::default($source, $this->clock);
        $this->metrics = Metrics::of($this->store);
        $this->random = $random ?? static fn (): float => mt_rand() / (mt_getrandmax() + 1);
    }

    /**
     * A client for `$dependency` discovered from SERVICE_<NAME>_URL; `$source` is this service;
     * `$options` are further constructor arguments by name (`transport`, `store`, `logger`, ...).
     *
     * @param array<string, mixed> $options
     */
    public static function fromEnv(string $dependency, string $source = '', array $options = []): self
    {
        return new self(Discovery::resolve($dependency), $source, ...$options);
    }

    /** The metrics this client records, in its Store. */
    public function metrics(): Metrics
    {
        return $this->metrics;
    }

    /** The circuit breaker this client keeps for `$dependency`. */
    public function breaker(string $dependency): Breaker
    {
        return $this->resilience($dependency)[0];
    }

    /** The retry budget this client keeps for `$dependency`. */
    public function budget(string $dependency): RetryBudget
    {
        return $this->resilience($dependency)[1];
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
        $out = $this->invoke($service, $rpc, Codec::encodeMessage($in), $ctx, $output);
        assert($out instanceof Message);
        return $out;
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
            $why = 'cannot decode the answer: ' . $e->getMessage();
            throw new BriefException(Code::Internal, $why, [], true, $e, local: true);
        }
    }

    /**
     * Sends one call with a JSON body and returns the decoded output object.
     *
     * @throws AppError|BriefException
     */
    public function send(string $service, Rpc $rpc, string $json, ?Context $ctx = null): ?\stdClass
    {
        $out = $this->invoke($service, $rpc, $json, $ctx, null);
        assert($out === null || $out instanceof \stdClass);
        return $out;
    }

    /** The error of an answer over `$limit` bytes: local, never retried (section 4.4). */
    public static function tooLarge(int $limit): BriefException
    {
        $why = "response larger than {$limit} bytes";
        return new BriefException(Code::ResourceExhausted, $why, [], true, local: true);
    }

    /** The `code` label of a call that ended with `$e` (section 7.3). */
    public static function metricCode(?\Throwable $e, Rpc $rpc): string
    {
        return match (true) {
            $e === null => 'ok',
            $e instanceof BriefException => $e->errorCode->value,
            $e instanceof AppError && !$e instanceof UndeclaredAppError && $rpc->errorClass($e->errorName) !== null
                => $e->errorName,
            $e instanceof AppError => 'undeclared',
            default => Code::Unknown->value,
        };
    }

    /**
     * The whole call: attempts, breaker, budget and backoff (section 6.2), metered.
     *
     * @param class-string<Message>|null $output
     */
    private function invoke(string $service, Rpc $rpc, string $json, ?Context $ctx, ?string $output): mixed
    {
        $ctx ??= Context::current();
        $start = $this->clock->now();
        $err = null;
        try {
            return $this->attempts($service, $rpc, $json, $ctx, $output, $start);
        } catch (\Throwable $e) {
            $err = $e;
            throw $e;
        } finally {
            $labels = ['dependency' => $service, 'rpc' => $rpc->name];
            $this->metrics->inc('brief_client_requests_total', $labels + ['code' => self::metricCode($err, $rpc)]);
            $this->metrics->observe('brief_client_request_duration_seconds', $labels, $this->clock->now() - $start);
        }
    }

    /**
     * @param class-string<Message>|null $output
     */
    private function attempts(
        string $service,
        Rpc $rpc,
        string $json,
        ?Context $ctx,
        ?string $output,
        float $start,
    ): mixed {
        $deadline = $start + ($rpc->timeoutMs ?? self::DEFAULT_TIMEOUT_MS) / 1000;
        if ($ctx?->deadline !== null && $ctx->deadline < $deadline) {
            $deadline = $ctx->deadline;
        }
        $id = $ctx?->requestId;
        $headers = [
            'Content-Type: application/json',
            'X-Request-Id: ' . ($id !== null && Context::validRequestId($id) ? $id : Context::newRequestId()),
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
        [$breaker, $budget] = $this->resilience($service);
        $url = "{$this->baseUrl}/rpc/{$service}/{$rpc->name}";
        $last = null;
        for ($attempt = 1;; $attempt++) {
            $remaining = $this->msUntil($deadline);
            if ($remaining < 1) {
                throw $last ?? new BriefException(
                    Code::DeadlineExceeded,
                    "deadline exceeded before calling {$service}/{$rpc->name}",
                    [],
                    true,
                );
            }
            $ticket = $breaker->allow();
            if ($ticket === null) {
                $this->metrics->inc('brief_client_breaker_rejections_total', ['dependency' => $service]);
                throw $last ?? new BriefException(
                    Code::Unavailable,
                    "circuit breaker open for dependency {$service}",
                    [],
                    true,
                    circuitOpen: true,
                );
            }
            if ($attempt === 1) {
                $budget->deposit();
            } else {
                $this->metrics->inc('brief_client_retries_total', ['dependency' => $service, 'rpc' => $rpc->name]);
            }
            $sent = [...$headers, "X-Request-Timeout-Ms: {$remaining}"];
            [$out, $err, $retryAfter] = $this->once($url, $rpc, $sent, $json, $remaining, $output);
            [$outcome, $retryable] = Outcome::of($err);
            $breaker->record($ticket, $outcome);
            if ($err === null) {
                return $out;
            }
            if (!$retryable || !$rpc->idempotent || $attempt >= $this->retry->maxAttempts) {
                throw $err;
            }
            $delay = $this->retry->backoffMs($attempt, ($this->random)());
            if ($retryAfter !== null) {
                $delay = max($delay, min($retryAfter, $this->retry->maxBackoffMs));
            }
            if ($delay >= $this->exactMsUntil($deadline)) {
                throw $err;
            }
            if (!$budget->tryWithdraw()) {
                $this->logger?->debug('brief: retry refused by the budget', [
                    'dependency' => $service, 'rpc' => $rpc->name,
                ]);
                throw $err;
            }
            $this->logger?->debug('brief: retrying', [
                'dependency' => $service, 'rpc' => $rpc->name, 'attempt' => $attempt + 1,
                'delay_ms' => $delay, 'error' => $err->getMessage(),
            ]);
            $this->clock->sleepMs($delay);
            $last = $err;
        }
    }

    /**
     * One attempt: the decoded answer or its error, and the delay a Retry-After asked for.
     *
     * @param list<string> $headers
     * @param class-string<Message>|null $output
     * @return array{mixed, \Throwable|null, int|null}
     */
    private function once(string $url, Rpc $rpc, array $headers, string $json, int $remaining, ?string $output): array
    {
        try {
            $resp = $this->transport->post($url, $headers, $json, $remaining, $this->maxResponseBytes);
        } catch (BriefException $e) {
            return [null, $e, null];
        }
        $retryAfter = null;
        if ($resp->status === 429 || $resp->status === 503) {
            $retryAfter = RetryPolicy::retryAfterMs($resp->headers['retry-after'] ?? null, $this->clock->now());
        }
        try {
            $body = self::answer($resp->status, $resp->body, $rpc);
            return [$output === null ? $body : self::output($body, $output), null, $retryAfter];
        } catch (AppError | BriefException $e) {
            return [null, $e, $retryAfter];
        }
    }

    /** @return array{Breaker, RetryBudget} */
    private function resilience(string $dependency): array
    {
        if (!isset($this->resilience[$dependency])) {
            $logger = $this->logger;
            $onChange = static function (BreakerState $from, BreakerState $to) use ($logger, $dependency): void {
                $logger?->warning('brief: circuit breaker state change', [
                    'dependency' => $dependency, 'from' => $from->label(), 'to' => $to->label(),
                ]);
            };
            $this->resilience[$dependency] = [
                new Breaker($this->store, $dependency, $this->clock, $this->breakerConfig, $onChange),
                new RetryBudget($this->store, $dependency, $this->clock, $this->budgetConfig),
            ];
            $this->metrics->breaker($dependency);
        }
        return $this->resilience[$dependency];
    }

    /** Whole milliseconds left before `$deadline` (clock seconds). */
    private function msUntil(float $deadline): int
    {
        return (int) floor($this->exactMsUntil($deadline));
    }

    private function exactMsUntil(float $deadline): float
    {
        return round(($deadline - $this->clock->now()) * 1000, 6);
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
                $why = 'cannot decode the answer: ' . $e->getMessage();
                throw new BriefException(Code::Internal, $why, [], true, local: true);
            }
            if ($out !== null && !$out instanceof \stdClass) {
                $why = 'cannot decode the answer: not an object';
                throw new BriefException(Code::Internal, $why, [], true, local: true);
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
                    return new BriefException(Code::Internal, $why, [], true, local: true);
                }
            }
        }
        return new BriefException(Code::fromHttpStatus($status), "HTTP status {$status}", [], true);
    }
}
