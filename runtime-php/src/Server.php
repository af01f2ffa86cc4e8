<?php

declare(strict_types=1);

namespace Brief\Runtime;

use Psr\Log\LoggerInterface;

/**
 * The front controller of generated services (docs/protocol.md sections 2.3, 4, 7, 9.4): routes
 * `POST /rpc/<service>/<rpc>` to a Service and `POST /events/<topic>` to a Consumer (deliveries
 * deduplicated by (source, id) in the Store, so across php-fpm workers), answers `/health/live`,
 * `/health/ready` and `/metrics` (the series of section 7.3, summed over the workers through the
 * Store), and writes every failure as the error envelope. While a handler runs, its Context is
 * Context::current(). Works under php-fpm and `php -S` (call serve() from the front controller
 * or router script); handle() is the same without PHP's globals.
 */
final class Server
{
    public const MAX_BODY_BYTES = 4194304;

    /** How long a delivery being processed holds its event against concurrent deliveries. */
    public const EVENT_BUSY_SECONDS = 30;
    /** How long a processed event is remembered (section 9.4: at least 24 h). */
    public const EVENT_SEEN_SECONDS = 86400;

    /** @var array<string, Service> */
    private array $services = [];
    /** @var array<string, Consumer> by topic */
    private array $consumers = [];
    private readonly string $name;
    private readonly Store $store;
    private readonly Metrics $metrics;

    /**
     * @param list<Service|Consumer> $services
     * @param (\Closure(): ?string)|null $ready returns why the service is not ready, or null
     * @param Store|null $store default: Stores::default() of the first service
     */
    public function __construct(
        array $services,
        private readonly ?\Closure $ready = null,
        ?Store $store = null,
        private readonly ?LoggerInterface $logger = null,
    ) {
        foreach ($services as $s) {
            if ($s instanceof Consumer) {
                foreach ($s->topics() as $topic) {
                    $this->consumers[$topic] = $s;
                }
            } else {
                $this->services[$s->name()] = $s;
            }
        }
        $this->name = (string) array_key_first($this->services);
        $this->store = $store ?? Stores::default($this->name);
        $this->metrics = Metrics::of($this->store);
    }

    /** The Store of this server (shared with clients made with the same service name). */
    public function store(): Store
    {
        return $this->store;
    }

    /** Serves the current request from PHP's globals and sends the response. */
    public function serve(): void
    {
        $headers = [];
        foreach ($_SERVER as $k => $v) {
            if (str_starts_with((string) $k, 'HTTP_')) {
                $headers[strtolower(str_replace('_', '-', substr((string) $k, 5)))] = (string) $v;
            }
        }
        if (isset($_SERVER['CONTENT_TYPE'])) {
            $headers['content-type'] = (string) $_SERVER['CONTENT_TYPE'];
        }
        $path = (string) parse_url((string) ($_SERVER['REQUEST_URI'] ?? '/'), PHP_URL_PATH);
        $body = (string) file_get_contents('php://input', false, null, 0, self::MAX_BODY_BYTES + 1);
        [$status, $out, $text] = $this->handle((string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'), $path, $headers, $body);
        http_response_code($status);
        foreach ($out as $k => $v) {
            header("{$k}: {$v}");
        }
        echo $text;
    }

    /**
     * Handles one request; header names in lower case.
     *
     * @param array<string, string> $headers
     * @return array{int, array<string, string>, string} status, headers, body
     */
    public function handle(string $method, string $path, array $headers, string $body): array
    {
        if (!str_starts_with($path, '/rpc/')) {
            return $this->route($method, $path, $headers, $body);
        }
        $parts = explode('/', substr($path, strlen('/rpc/')));
        $service = count($parts) === 2 ? ($this->services[$parts[0]] ?? null) : null;
        $rpc = $service?->rpc($parts[1]);
        $svc = $service?->name() ?? $this->name;
        $labels = ['service' => $svc, 'rpc' => $rpc?->name ?? 'unknown'];
        $this->metrics->inc('brief_server_in_flight_requests', ['service' => $svc]);
        $start = microtime(true);
        $code = Code::Unknown->value;
        try {
            $result = $this->route($method, $path, $headers, $body, $code);
            return $result;
        } finally {
            $this->metrics->inc('brief_server_in_flight_requests', ['service' => $svc], -1);
            $this->metrics->inc('brief_server_requests_total', $labels + ['code' => $code]);
            if ($code !== 'ok') {
                $this->metrics->inc('brief_server_errors_total', $labels + ['code' => $code]);
            }
            $this->metrics->observe('brief_server_request_duration_seconds', $labels, microtime(true) - $start);
        }
    }

    /**
     * @param array<string, string> $headers
     * @param-out string $code
     * @return array{int, array<string, string>, string}
     */
    private function route(string $method, string $path, array $headers, string $body, string &$code = ''): array
    {
        $received = microtime(true);
        if ($path === '/health/live') {
            return [200, ['Content-Type' => 'application/json'], '{"status":"ok"}'];
        }
        if ($path === '/health/ready') {
            $why = $this->ready === null ? null : ($this->ready)();
            $json = ['Content-Type' => 'application/json'];
            return $why === null
                ? [200, $json, '{"status":"ok"}']
                : [503, $json, Codec::json((object) ['status' => 'unavailable', 'reason' => $why])];
        }
        if ($path === '/metrics') {
            return [200, ['Content-Type' => 'text/plain; version=0.0.4; charset=utf-8'], $this->metrics->render()];
        }
        if (!str_starts_with($path, '/rpc/') && !str_starts_with($path, '/events/')) {
            return self::envelope(new BriefException(Code::Unimplemented, "no endpoint {$path}"), []);
        }
        $id = $headers['x-request-id'] ?? '';
        if (!Context::validRequestId($id)) {
            $id = Context::newRequestId();
        }
        $out = ['X-Request-Id' => $id];
        if (str_starts_with($path, '/events/')) {
            return (new EventEndpoint($this, $this->store, $this->metrics))
                ->handle($this->consumers, $method, substr($path, strlen('/events/')), $headers, $body, $out, $id);
        }
        $parts = explode('/', substr($path, strlen('/rpc/')));
        $service = count($parts) === 2 && str_starts_with($path, '/rpc/') ? ($this->services[$parts[0]] ?? null) : null;
        $rpc = $service?->rpc($parts[1] ?? '');
        if ($service === null || $rpc === null) {
            $code = Code::Unimplemented->value;
            return self::envelope(new BriefException(Code::Unimplemented, "unknown rpc {$path}"), $out);
        }
        $fail = static function (BriefException $e) use (&$code, $out): array {
            $code = $e->errorCode->value;
            return self::envelope($e, $out);
        };
        $deadline = null;
        $t = $headers['x-request-timeout-ms'] ?? '';
        if (preg_match('/^[0-9]{1,10}$/', $t) === 1) {
            $deadline = $received + ((int) $t) / 1000;
        }
        if ($rpc->timeoutMs !== null) {
            $own = $received + $rpc->timeoutMs / 1000;
            $deadline = $deadline === null ? $own : min($deadline, $own);
        }
        if ($method !== 'POST') {
            return $fail(BriefException::invalidArgument("method {$method} not allowed: use POST"));
        }
        $type = strtolower(trim(explode(';', $headers['content-type'] ?? '')[0]));
        if ($type !== 'application/json') {
            return $fail(BriefException::invalidArgument('Content-Type must be application/json'));
        }
        $enc = strtolower(trim($headers['content-encoding'] ?? 'identity'));
        if ($enc !== 'identity' && $enc !== '') {
            return $fail(BriefException::invalidArgument("Content-Encoding {$enc} not supported"));
        }
        if (strlen($body) > self::MAX_BODY_BYTES) {
            return $fail(new BriefException(Code::ResourceExhausted, 'request body over 4 MiB'));
        }
        if ($deadline !== null && $deadline <= microtime(true)) {
            return $fail(new BriefException(Code::DeadlineExceeded, 'deadline exceeded'));
        }
        try {
            $input = trim($body) === '' ? null : Codec::parse($body);
            if ($input !== null && !$input instanceof \stdClass) {
                throw BriefException::invalidArgument('$: expected an object');
            }
        } catch (BriefException $e) {
            return $fail($e);
        }
        $tp = Context::validTraceparent($headers['traceparent'] ?? '');
        $ts = $headers['tracestate'] ?? null;
        $ts = $tp === null || $ts === null || strlen($ts) > 512 ? null : $ts;
        $ctx = new Context($deadline, $id, $headers['x-source-service'] ?? '', $service->name(), $tp, $ts);
        $previous = Context::swapCurrent($ctx);
        try {
            $result = $service->call($rpc->name, $input, $ctx);
            $code = 'ok';
            return [200, $out + ['Content-Type' => 'application/json'], Codec::encodeMessage($result)];
        } catch (AppError $e) {
            if (!$e instanceof UndeclaredAppError && $rpc->errorClass($e->errorName) === $e::class) {
                $code = $e->errorName;
                $details = Codec::json((object) $e->toWire());
                $env = '{"error":{"code":' . Codec::json($e->errorName) . ',"message":'
                    . Codec::json($e->getMessage()) . ',"details":' . $details . '}}';
                return [422, $out + ['Content-Type' => 'application/json'], $env];
            }
            $this->log("brief: request {$id}: undeclared application error {$e->errorName}", $id);
            return $fail(new BriefException(Code::Internal, 'internal error'));
        } catch (\Throwable $e) {
            return $fail($this->failure($e, $id));
        } finally {
            Context::swapCurrent($previous);
        }
    }

    /**
     * The transport error a handler's exception is answered with (sections 4.3, 4.5); logged.
     */
    public function failure(\Throwable $e, string $id): BriefException
    {
        if ($e instanceof BriefException) {
            return $e->downstream ? $this->downstream($e, $id) : $e;
        }
        if ($e instanceof AppError) {
            $this->log("brief: request {$id}: undeclared application error {$e->errorName}", $id);
        } else {
            $this->log("brief: request {$id}: " . $e::class . ': ' . $e->getMessage(), $id);
        }
        return new BriefException(Code::Internal, 'internal error');
    }

    /** Logs an error with the request id: to the PSR-3 logger when given, else error_log. */
    public function log(string $message, string $id): void
    {
        if ($this->logger !== null) {
            $this->logger->error($message, ['request_id' => $id]);
        } else {
            error_log($message);
        }
    }

    /** The error a server sends for a failed outgoing call (section 4.5). */
    private function downstream(BriefException $e, string $id): BriefException
    {
        $this->log("brief: request {$id}: a dependency failed: {$e->errorCode->value}: {$e->getMessage()}", $id);
        return match ($e->errorCode) {
            Code::DeadlineExceeded => new BriefException(Code::DeadlineExceeded, 'deadline exceeded'),
            Code::Canceled => new BriefException(Code::Canceled, 'canceled'),
            default => new BriefException(Code::Internal, 'a dependency failed', [
                'reason' => 'DEPENDENCY_FAILED',
                'downstream_code' => $e->errorCode->value,
            ]),
        };
    }

    /**
     * @param array<string, string> $headers
     * @return array{int, array<string, string>, string}
     */
    public static function envelope(BriefException $e, array $headers): array
    {
        $env = (object) ['error' => (object) [
            'code' => $e->errorCode->value,
            'message' => $e->getMessage(),
            'details' => (object) $e->details,
        ]];
        return [$e->errorCode->httpStatus(), $headers + ['Content-Type' => 'application/json'], Codec::json($env)];
    }
}
