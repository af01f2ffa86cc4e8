<?php

declare(strict_types=1);

use Brief\Runtime\Client;
use Brief\Runtime\Context;
use Brief\Runtime\Rpc;
use Brief\Runtime\Server;
use PHPUnit\Framework\TestCase;
use Wire\Generated\EchoServer;
use Wire\Generated\Item;
use Wire\Generated\UnimplementedEchoHandler;

/**
 * golden/wire/headers.json: Server::handle of service `echo` whose handler makes one call (to
 * a `php -S` that answers with the headers it got).
 */
final class HeadersTest extends TestCase
{
    /** @var resource|null */
    private static $peer = null;
    public static string $url = '';
    public static ?Context $seen = null;
    public static ?\stdClass $outgoing = null;

    public static function setUpBeforeClass(): void
    {
        $sock = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($sock, false), ':'), 1);
        fclose($sock);
        self::$url = "http://127.0.0.1:{$port}";
        $cmd = [PHP_BINARY, '-S', "127.0.0.1:{$port}", __DIR__ . '/headers.php'];
        self::$peer = proc_open($cmd, [['pipe', 'r'], ['file', '/dev/null', 'w'], ['file', '/dev/null', 'w']], $pipes);
        for ($i = 0; $i < 100; $i++) {
            if (@file_get_contents(self::$url) !== false) {
                return;
            }
            usleep(50000);
        }
        self::fail('php -S did not start');
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$peer !== null) {
            proc_terminate(self::$peer);
            proc_close(self::$peer);
        }
    }

    private function check(array $m, ?string $v, array $response, string $name): void
    {
        if (!empty($m['absent'])) {
            $this->assertNull($v, $name);
            return;
        }
        $this->assertNotNull($v, $name);
        if (isset($m['equals'])) {
            $this->assertSame($m['equals'], $v, $name);
        }
        if (isset($m['matches'])) {
            $this->assertMatchesRegularExpression('/' . $m['matches'] . '/', $v, $name);
        }
        foreach ($m['not_equals'] ?? [] as $n) {
            $this->assertNotSame($n, $v, $name);
        }
        if (isset($m['same_as_response'])) {
            $this->assertSame($response[$m['same_as_response']] ?? null, $v, $name);
        }
        if (isset($m['int_range'])) {
            $this->assertMatchesRegularExpression('/^[0-9]+$/', $v, $name);
            $this->assertGreaterThanOrEqual($m['int_range'][0], (int) $v, $name);
            $this->assertLessThanOrEqual($m['int_range'][1], (int) $v, $name);
        }
    }

    public function testHeaderVectors(): void
    {
        $v = json_decode((string) file_get_contents(__DIR__ . '/../../golden/wire/headers.json'), true);
        $handler = new class extends UnimplementedEchoHandler {
            public function echo(Item $in, Context $ctx): Item
            {
                HeadersTest::$seen = $ctx;
                HeadersTest::$outgoing = (new Client(HeadersTest::$url))->send('other', new Rpc('call'), '{}', $ctx);
                return $in;
            }
        };
        $server = new Server([new EchoServer($handler)]);
        foreach ($v['cases'] as $c) {
            $name = $c['name'];
            $headers = array_change_key_case($c['incoming'], CASE_LOWER) + ['content-type' => 'application/json'];
            [$status, $response, $text] = $server->handle('POST', '/rpc/echo/echo', $headers, '{}');
            $this->assertSame(200, $status, "{$name}: {$text}");
            $x = $c['expect'];
            foreach ($x['response'] ?? [] as $h => $m) {
                $this->check($m, $response[$h] ?? null, $response, $name);
            }
            $seen = ['request_id' => self::$seen?->requestId, 'caller' => self::$seen?->caller];
            foreach ($x['context'] ?? [] as $k => $m) {
                $this->check($m, $seen[$k], $response, $name);
            }
            $out = get_object_vars(self::$outgoing ?? new \stdClass());
            foreach ($x['outgoing'] ?? [] as $h => $m) {
                $this->check($m, $out[strtolower($h)] ?? null, $response, "{$name}: outgoing {$h}");
            }
        }
    }
}
