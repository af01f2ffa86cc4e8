<?php

declare(strict_types=1);

use Brief\Runtime\BreakerConfig;
use Brief\Runtime\BriefException;
use Brief\Runtime\Client;
use Brief\Runtime\Code;
use Brief\Runtime\MemoryStore;
use Brief\Runtime\Psr18Transport;
use Brief\Runtime\Rpc;
use Brief\Runtime\Server;
use Brief\Tests\FakeClock;
use Brief\Tests\ScriptedTransport;
use Nyholm\Psr7\Factory\Psr17Factory;
use Nyholm\Psr7\Response;
use PHPUnit\Framework\TestCase;
use Psr\Http\Client\ClientInterface;
use Psr\Http\Client\NetworkExceptionInterface;
use Psr\Http\Message\RequestInterface;
use Psr\Http\Message\ResponseInterface;
use Psr\Log\AbstractLogger;
use Wire\Generated\EchoClient;
use Wire\Generated\EchoServer;
use Wire\Generated\EmptyMessage;
use Wire\Generated\Item;
use Wire\Generated\UnimplementedEchoHandler;

/**
 * PSR interop: the generated client over Psr18Transport (a small PSR-18 client on PHP streams,
 * nyholm/psr7's PSR-17 factories) against the generated server under `php -S`; PSR-3 loggers
 * given to the Client (breaker state changes) and the Server (handler failures); `/metrics`.
 */
final class PsrTest extends TestCase
{
    /** @var resource|null */
    private static $server = null;
    private static string $url = '';

    public static function setUpBeforeClass(): void
    {
        if (!interface_exists(ClientInterface::class) || !class_exists(Psr17Factory::class)) {
            self::markTestSkipped('php-psr-http-client and php-nyholm-psr7 are not installed');
        }
        $sock = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($sock, false), ':'), 1);
        fclose($sock);
        self::$url = "http://127.0.0.1:{$port}";
        $null = ['file', '/dev/null', 'w'];
        self::$server = proc_open([PHP_BINARY, '-S', "127.0.0.1:{$port}", __DIR__ . '/server.php'], [['pipe', 'r'], $null, $null], $pipes);
        for ($i = 0; $i < 100 && @file_get_contents(self::$url . '/health/live') === false; $i++) {
            usleep(50000);
        }
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$server !== null) {
            proc_terminate(self::$server);
            proc_close(self::$server);
        }
    }

    private static function psr18(): ClientInterface
    {
        return new class implements ClientInterface {
            public function sendRequest(RequestInterface $request): ResponseInterface
            {
                $headers = [];
                foreach ($request->getHeaders() as $k => $vs) {
                    $headers[] = $k . ': ' . implode(', ', $vs);
                }
                $ctx = stream_context_create(['http' => [
                    'method' => $request->getMethod(), 'header' => $headers, 'content' => (string) $request->getBody(),
                    'ignore_errors' => true, 'follow_location' => 0, 'timeout' => 5,
                ]]);
                $body = @file_get_contents((string) $request->getUri(), false, $ctx);
                if ($body === false) {
                    throw new class ('connection failed', $request) extends \RuntimeException implements NetworkExceptionInterface {
                        public function __construct(string $m, private readonly RequestInterface $r)
                        {
                            parent::__construct($m);
                        }

                        public function getRequest(): RequestInterface
                        {
                            return $this->r;
                        }
                    };
                }
                $status = 0;
                $out = [];
                foreach ($http_response_header as $line) {
                    if (preg_match('#^HTTP/\S+ (\d{3})#', $line, $m) === 1) {
                        $status = (int) $m[1];
                    } elseif (str_contains($line, ':')) {
                        [$k, $v] = explode(':', $line, 2);
                        $out[trim($k)] = trim($v);
                    }
                }
                return new Response($status, $out, $body);
            }
        };
    }

    private function psrClient(string $url): Client
    {
        $f = new Psr17Factory();
        return new Client($url, 'tests', transport: new Psr18Transport(self::psr18(), $f, $f), store: new MemoryStore());
    }

    public function testTheGeneratedClientOverPsr18(): void
    {
        $echo = new EchoClient($this->psrClient(self::$url));
        $this->assertSame(7, $echo->echo(new Item(7, 'x'))->id);
        try {
            $echo->fail(new Item(9));
            $this->fail('no error');
        } catch (\Wire\Generated\NotFoundException $e) {
            $this->assertSame(9, $e->id);
        }
    }

    public function testPsr18NetworkFailuresAreUnavailable(): void
    {
        try {
            $this->psrClient('http://127.0.0.1:1')->call('echo', new Rpc('echo'), new Item(), Item::class);
            $this->fail('no error');
        } catch (BriefException $e) {
            $this->assertSame(Code::Unavailable, $e->errorCode);
        }
    }

    public function testPsr18OversizedBodiesAreLocal(): void
    {
        $f = new Psr17Factory();
        $big = new class implements ClientInterface {
            public function sendRequest(RequestInterface $request): ResponseInterface
            {
                return new Response(200, [], str_repeat(' ', 100) . '{}');
            }
        };
        $c = new Client('http://x.test', 'tests', 64, new Psr18Transport($big, $f, $f), new MemoryStore());
        try {
            $c->call('echo', new Rpc('echo', true), new Item(), Item::class);
            $this->fail('no error');
        } catch (BriefException $e) {
            $this->assertSame(Code::ResourceExhausted, $e->errorCode);
            $this->assertTrue($e->local);
        }
    }

    private static function logger(): AbstractLogger
    {
        return new class extends AbstractLogger {
            /** @var list<array{string, string, array}> */
            public array $records = [];

            public function log($level, $message, array $context = [])
            {
                $this->records[] = [(string) $level, (string) $message, $context];
            }
        };
    }

    public function testAClientLoggerSeesBreakerStateChanges(): void
    {
        $log = self::logger();
        $clock = new FakeClock();
        $t = new ScriptedTransport($clock);
        $t->script = [['status' => 503, 'body' => ''], ['status' => 503, 'body' => '']];
        $c = new Client('http://x.test', 'tests', transport: $t, store: new MemoryStore($clock), clock: $clock, breakerConfig: new BreakerConfig(minRequests: 2), logger: $log);
        for ($i = 0; $i < 2; $i++) {
            try {
                $c->call('dep', new Rpc('put'), new EmptyMessage(), EmptyMessage::class);
            } catch (BriefException) {
            }
        }
        $this->assertContains(['warning', 'brief: circuit breaker state change', ['dependency' => 'dep', 'from' => 'closed', 'to' => 'open']], $log->records);
    }

    public function testAServerLoggerSeesHandlerFailuresAndMetricsAreExposed(): void
    {
        $log = self::logger();
        $h = new class extends UnimplementedEchoHandler {
            public function echo(Item $in, \Brief\Runtime\Context $ctx): Item
            {
                throw new \LogicException('boom');
            }
        };
        $server = new Server([new EchoServer($h)], store: new MemoryStore(), logger: $log);
        [$status] = $server->handle('POST', '/rpc/echo/echo', ['content-type' => 'application/json', 'x-request-id' => 'r1'], '{}');
        $this->assertSame(500, $status);
        $this->assertSame('error', $log->records[0][0]);
        $this->assertStringContainsString('boom', $log->records[0][1]);
        $this->assertSame(['request_id' => 'r1'], $log->records[0][2]);
        $server->handle('POST', '/rpc/echo/nope', ['content-type' => 'application/json'], '{}');
        [$status, $headers, $text] = $server->handle('GET', '/metrics', [], '');
        $this->assertSame(200, $status);
        $this->assertStringStartsWith('text/plain; version=0.0.4', $headers['Content-Type']);
        foreach ([
            'brief_server_requests_total{service="echo",rpc="echo",code="internal"} 1',
            'brief_server_errors_total{service="echo",rpc="echo",code="internal"} 1',
            'brief_server_requests_total{service="echo",rpc="unknown",code="unimplemented"} 1',
            'brief_server_request_duration_seconds_bucket{service="echo",rpc="echo",le="+Inf"} 1',
            'brief_server_request_duration_seconds_count{service="echo",rpc="echo"} 1',
            'brief_server_in_flight_requests{service="echo"} 0',
            '# TYPE brief_server_request_duration_seconds histogram',
        ] as $line) {
            $this->assertStringContainsString($line, $text);
        }
    }

    public function testClientMetricsOneSeriesPerCallAfterRetries(): void
    {
        $clock = new FakeClock();
        $t = new ScriptedTransport($clock);
        $t->script = [['status' => 503, 'body' => ''], ['status' => 200, 'body' => '{}']];
        $store = new MemoryStore($clock);
        $c = new Client('http://x.test', 'tests', transport: $t, store: $store, clock: $clock, random: static fn (): float => 0.0);
        $c->call('dep', new Rpc('get', true), new EmptyMessage(), EmptyMessage::class);
        $text = $c->metrics()->render($clock);
        foreach ([
            'brief_client_requests_total{dependency="dep",rpc="get",code="ok"} 1',
            'brief_client_retries_total{dependency="dep",rpc="get"} 1',
            'brief_client_breaker_state{dependency="dep"} 0',
            'brief_client_request_duration_seconds_count{dependency="dep",rpc="get"} 1',
        ] as $line) {
            $this->assertStringContainsString($line, $text);
        }
    }
}
