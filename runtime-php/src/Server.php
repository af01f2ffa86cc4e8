<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The front controller of generated services (docs/protocol.md sections 2.3, 4, 7): routes
 * `POST /rpc/<service>/<rpc>` to a Service, answers `/health/live`, `/health/ready` and
 * `/metrics` (no series yet), and
 * writes every failure as the error envelope. Works under php-fpm and `php -S` (call serve()
 * from the front controller or router script); handle() is the same without PHP's globals.
 */
final class Server
{
    public const MAX_BODY_BYTES = 4194304;

    /** @var array<string, Service> */
    private array $services = [];

    /**
     * @param list<Service> $services
     * @param (\Closure(): ?string)|null $ready returns why the service is not ready, or null
     */
    public function __construct(array $services, private readonly ?\Closure $ready = null)
    {
        foreach ($services as $s) {
            $this->services[$s->name()] = $s;
        }
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
            // No series yet (metrics aggregated across fpm workers are a later slice).
            return [200, ['Content-Type' => 'text/plain; version=0.0.4; charset=utf-8'], ''];
        }
        if (!str_starts_with($path, '/rpc/') && !str_starts_with($path, '/events/')) {
            return self::envelope(new BriefException(Code::Unimplemented, "no endpoint {$path}"), []);
        }
        $id = $headers['x-request-id'] ?? '';
        if (!Context::validRequestId($id)) {
            $id = Context::newRequestId();
        }
        $out = ['X-Request-Id' => $id];
        $parts = explode('/', substr($path, strlen('/rpc/')));
        $service = count($parts) === 2 && str_starts_with($path, '/rpc/') ? ($this->services[$parts[0]] ?? null) : null;
        $rpc = $service?->rpc($parts[1] ?? '');
        if ($service === null || $rpc === null) {
            return self::envelope(new BriefException(Code::Unimplemented, "unknown rpc {$path}"), $out);
        }
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
            return self::envelope(BriefException::invalidArgument("method {$method} not allowed: use POST"), $out);
        }
        $type = strtolower(trim(explode(';', $headers['content-type'] ?? '')[0]));
        if ($type !== 'application/json') {
            return self::envelope(BriefException::invalidArgument('Content-Type must be application/json'), $out);
        }
        $enc = strtolower(trim($headers['content-encoding'] ?? 'identity'));
        if ($enc !== 'identity' && $enc !== '') {
            return self::envelope(BriefException::invalidArgument("Content-Encoding {$enc} not supported"), $out);
        }
        if (strlen($body) > self::MAX_BODY_BYTES) {
            return self::envelope(new BriefException(Code::ResourceExhausted, 'request body over 4 MiB'), $out);
        }
        if ($deadline !== null && $deadline <= microtime(true)) {
            return self::envelope(new BriefException(Code::DeadlineExceeded, 'deadline exceeded'), $out);
        }
        try {
            $input = trim($body) === '' ? null : Codec::parse($body);
            if ($input !== null && !$input instanceof \stdClass) {
                throw BriefException::invalidArgument('$: expected an object');
            }
        } catch (BriefException $e) {
            return self::envelope($e, $out);
        }
        $tp = Context::validTraceparent($headers['traceparent'] ?? '');
        $ts = $headers['tracestate'] ?? null;
        $ts = $tp === null || $ts === null || strlen($ts) > 512 ? null : $ts;
        $ctx = new Context($deadline, $id, $headers['x-source-service'] ?? '', $service->name(), $tp, $ts);
        try {
            $result = $service->call($rpc->name, $input, $ctx);
            return [200, $out + ['Content-Type' => 'application/json'], Codec::encodeMessage($result)];
        } catch (AppError $e) {
            if (!$e instanceof UndeclaredAppError && $rpc->errorClass($e->errorName) === $e::class) {
                $details = Codec::json((object) $e->toWire());
                $env = '{"error":{"code":' . Codec::json($e->errorName) . ',"message":'
                    . Codec::json($e->getMessage()) . ',"details":' . $details . '}}';
                return [422, $out + ['Content-Type' => 'application/json'], $env];
            }
            error_log("brief: request {$id}: undeclared application error {$e->errorName}");
            return self::envelope(new BriefException(Code::Internal, 'internal error'), $out);
        } catch (BriefException $e) {
            if ($e->downstream) {
                return self::envelope(self::downstream($e, $id), $out);
            }
            return self::envelope($e, $out);
        } catch (\Throwable $e) {
            error_log("brief: request {$id}: " . $e::class . ': ' . $e->getMessage());
            return self::envelope(new BriefException(Code::Internal, 'internal error'), $out);
        }
    }

    /** The error a server sends for a failed outgoing call (section 4.5). */
    private static function downstream(BriefException $e, string $id): BriefException
    {
        error_log("brief: request {$id}: a dependency failed: {$e->errorCode->value}: {$e->getMessage()}");
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
    private static function envelope(BriefException $e, array $headers): array
    {
        $env = (object) ['error' => (object) [
            'code' => $e->errorCode->value,
            'message' => $e->getMessage(),
            'details' => (object) $e->details,
        ]];
        return [$e->errorCode->httpStatus(), $headers + ['Content-Type' => 'application/json'], Codec::json($env)];
    }
}
