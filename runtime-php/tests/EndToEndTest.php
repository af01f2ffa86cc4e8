<?php

declare(strict_types=1);

use Brief\Runtime\BriefException;
use Brief\Runtime\Client;
use Brief\Runtime\Context;
use Brief\Runtime\Rpc;
use PHPUnit\Framework\TestCase;
use Summer\Generated\ServiceCreate;
use Summer\Generated\SumIn;
use Summer\Generated\SummerClient;
use Summer\Generated\SummerPublisher;
use Wire\Generated\Color;
use Wire\Generated\EchoClient;
use Wire\Generated\Item;
use Wire\Generated\NotFoundException;

/**
 * The generated servers under `php -S` on 127.0.0.1, called by the generated clients over a
 * real socket: a result, a typed application error, an unknown rpc, health and deadlines.
 */
final class EndToEndTest extends TestCase
{
    /** @var resource|null */
    private static $server = null;
    private static string $url = '';
    private static string $busLog = '';

    public static function setUpBeforeClass(): void
    {
        $sock = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($sock, false), ':'), 1);
        fclose($sock);
        self::$url = "http://127.0.0.1:{$port}";
        $cmd = [PHP_BINARY, '-S', "127.0.0.1:{$port}", __DIR__ . '/server.php'];
        self::$busLog = (string) tempnam(sys_get_temp_dir(), 'brief-bus');
        $env = ['BRIEF_PHP_BUS_LOG' => self::$busLog] + getenv();
        self::$server = proc_open($cmd, [['pipe', 'r'], ['file', '/dev/null', 'w'], ['file', '/dev/null', 'w']], $pipes, null, $env);
        for ($i = 0; $i < 100; $i++) {
            if (@file_get_contents(self::$url . '/health/live') === '{"status":"ok"}') {
                return;
            }
            usleep(50000);
        }
        self::fail('php -S did not start');
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$server !== null) {
            proc_terminate(self::$server);
            proc_close(self::$server);
        }
        @unlink(self::$busLog);
    }

    private function echo(): EchoClient
    {
        return new EchoClient(new Client(self::$url, 'tests'));
    }

    public function testResult(): void
    {
        $in = new Item(7, 'seven', ['a', 'b'], Color::Blue);
        $out = $this->echo()->echo($in);
        $this->assertEquals($in, $out);
        $sum = (new SummerClient(new Client(self::$url)))->sum(new SumIn(2, 3), new Context(null, 'rid-1'));
        $this->assertSame(5, $sum->sum);
        $this->assertSame('request rid-1', $sum->info);
    }

    public function testDiscoveryFromTheEnvironment(): void
    {
        putenv('SERVICE_ECHO_URL=' . self::$url . '/');
        try {
            $this->assertSame(1, EchoClient::fromEnv()->echo(new Item(1))->id);
        } finally {
            putenv('SERVICE_ECHO_URL');
        }
    }

    public function testTypedApplicationError(): void
    {
        try {
            $this->echo()->fail(new Item(42));
            $this->fail('no error');
        } catch (NotFoundException $e) {
            $this->assertSame(42, $e->id);
            $this->assertSame('NotFound', $e->errorName);
            $this->assertSame('NotFound: No such item', $e->getMessage());
        }
    }

    public function testUnknownRpc(): void
    {
        try {
            (new Client(self::$url))->send('echo', new Rpc('nope'), '{}');
            $this->fail('no error');
        } catch (BriefException $e) {
            $this->assertSame('unimplemented', $e->errorCode->value);
        }
    }

    public function testDeadlineZeroAndBadInput(): void
    {
        $ctx = new Context(microtime(true) - 1);
        try {
            $this->echo()->echo(new Item(1), $ctx);
            $this->fail('no error');
        } catch (BriefException $e) {
            $this->assertSame('deadline_exceeded', $e->errorCode->value);
        }
        try {
            (new Client(self::$url))->send('echo', new Rpc('echo'), '{"id":"5"}');
            $this->fail('no error');
        } catch (BriefException $e) {
            $this->assertSame('invalid_argument', $e->errorCode->value);
            $this->assertStringContainsString('$.id: expected an integer', $e->getMessage());
        }
    }

    public function testConnectionRefusedIsUnavailable(): void
    {
        try {
            (new EchoClient(new Client('http://127.0.0.1:1')))->echo(new Item());
            $this->fail('no error');
        } catch (BriefException $e) {
            $this->assertSame('unavailable', $e->errorCode->value);
        }
    }

    public function testPublisherSendsACloudEventToTheDataBus(): void
    {
        putenv('SERVICE_DATA_BUS_URL=' . self::$url);
        try {
            $id = SummerPublisher::fromEnv()->publishServiceCreate(new ServiceCreate(1, 2));
        } finally {
            putenv('SERVICE_DATA_BUS_URL');
        }
        $this->assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $id);
        $event = json_decode(trim((string) file_get_contents(self::$busLog)));
        $this->assertSame('1.0', $event->specversion);
        $this->assertSame($id, $event->id);
        $this->assertSame('summer', $event->source);
        $this->assertSame('service.create', $event->type);
        $this->assertSame('application/json', $event->datacontenttype);
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/', $event->time);
        $this->assertEquals((object) ['serviceId' => 1, 'userId' => 2], $event->data);
    }
}
