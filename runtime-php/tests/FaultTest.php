<?php

declare(strict_types=1);

use Brief\Runtime\BriefException;
use Brief\Runtime\Client;
use Brief\Runtime\Code;
use Brief\Runtime\MemoryStore;
use Brief\Runtime\Rpc;
use PHPUnit\Framework\TestCase;
use Wire\Generated\EmptyMessage;

/**
 * Fault injection over real sockets on 127.0.0.1: a `php -S` fault server (tests/fault.php: 503
 * bursts, an outage, Retry-After, oversized bodies) and raw TCP servers (tests/rawserver.php:
 * connections closed without an answer, hangs), called by the real curl client.
 */
final class FaultTest extends TestCase
{
    /** @var list<resource> */
    private static array $procs = [];
    private static string $dir = '';
    private static string $url = '';

    public static function setUpBeforeClass(): void
    {
        self::$dir = sys_get_temp_dir() . '/brief-fault-' . bin2hex(random_bytes(4));
        mkdir(self::$dir);
        $port = self::freePort();
        self::$url = "http://127.0.0.1:{$port}";
        self::spawn([PHP_BINARY, '-S', "127.0.0.1:{$port}", __DIR__ . '/fault.php'], ['BRIEF_FAULT_DIR' => self::$dir]);
        for ($i = 0; $i < 100 && @file_get_contents(self::$url . '/count/none') === false; $i++) {
            usleep(50000);
        }
    }

    public static function tearDownAfterClass(): void
    {
        foreach (self::$procs as $p) {
            proc_terminate($p, 9);
            proc_close($p);
        }
        self::$procs = [];
        array_map('unlink', glob(self::$dir . '/*') ?: []);
        @rmdir(self::$dir);
    }

    private static function freePort(): int
    {
        $sock = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($sock, false), ':'), 1);
        fclose($sock);
        return $port;
    }

    private static function spawn(array $cmd, array $env = []): void
    {
        $null = ['file', '/dev/null', 'w'];
        self::$procs[] = proc_open($cmd, [['pipe', 'r'], $null, $null], $pipes, null, $env + getenv());
    }

    /** A raw server in `$mode`; returns its URL and the file counting its connections. */
    private static function raw(string $mode): array
    {
        $file = self::$dir . "/raw-{$mode}";
        self::spawn([PHP_BINARY, __DIR__ . '/rawserver.php', $file, $mode]);
        for ($i = 0; $i < 100 && !is_file($file); $i++) {
            usleep(20000);
        }
        usleep(20000);
        return ['http://127.0.0.1:' . trim((string) file_get_contents($file)), "{$file}.count"];
    }

    private static function served(string $scenario): int
    {
        return (int) file_get_contents(self::$url . "/count/{$scenario}");
    }

    private function client(?string $url = null): Client
    {
        return new Client($url ?? self::$url, 'tests', store: new MemoryStore());
    }

    private function fails(Client $c, string $service, Rpc $rpc): BriefException
    {
        try {
            $c->call($service, $rpc, new EmptyMessage(), EmptyMessage::class);
        } catch (BriefException $e) {
            return $e;
        }
        $this->fail("{$service}/{$rpc->name} did not fail");
    }

    public function testA503BurstIsRetriedOnAnIdempotentRpc(): void
    {
        $out = $this->client()->call('burst2', new Rpc('get', true), new EmptyMessage(), EmptyMessage::class);
        $this->assertInstanceOf(EmptyMessage::class, $out);
        $this->assertSame(3, self::served('burst2'));
    }

    public function testANonIdempotentRpcIsNotRetried(): void
    {
        $e = $this->fails($this->client(), 'burst5', new Rpc('put', false));
        $this->assertSame(Code::Unavailable, $e->errorCode);
        $this->assertSame(1, self::served('burst5'));
    }

    public function testRetryAfterSetsTheDelay(): void
    {
        $t = microtime(true);
        $this->client()->call('after1', new Rpc('get', true), new EmptyMessage(), EmptyMessage::class);
        $this->assertGreaterThanOrEqual(1.0, microtime(true) - $t);
        $this->assertSame(2, self::served('after1'));
    }

    public function testAnOutageOpensTheBreakerAndStopsTheCalls(): void
    {
        $c = $this->client();
        for ($i = 0; $i < 20; $i++) {
            $this->fails($c, 'down', new Rpc('put', false));
        }
        $this->assertSame('open', $c->breaker('down')->state()->label());
        $e = $this->fails($c, 'down', new Rpc('put', false));
        $this->assertTrue($e->circuitOpen);
        $this->assertSame(20, self::served('down'), 'an open breaker sends nothing');
    }

    public function testOversizedBodiesAreLocalResourceExhausted(): void
    {
        foreach (['big', 'bigclaim'] as $s) {
            $e = $this->fails($this->client(), $s, new Rpc('get', true));
            $this->assertSame(Code::ResourceExhausted, $e->errorCode, $s);
            $this->assertTrue($e->local, $s);
            $this->assertSame(1, self::served($s), "{$s}: not retried");
        }
    }

    public function testConnectionsClosedWithoutAnAnswerAreRetried(): void
    {
        [$url, $count] = self::raw('close');
        $e = $this->fails($this->client($url), 'dep', new Rpc('get', true));
        $this->assertSame(Code::Unavailable, $e->errorCode);
        $this->assertSame('3', file_get_contents($count), 'three attempts');
    }

    public function testAHangEndsAtTheDeadlineAndIsNotRetried(): void
    {
        [$url, $count] = self::raw('hang');
        $t = microtime(true);
        $e = $this->fails($this->client($url), 'dep', new Rpc('get', true, 300));
        $took = microtime(true) - $t;
        $this->assertSame(Code::DeadlineExceeded, $e->errorCode);
        $this->assertGreaterThanOrEqual(0.29, $took);
        $this->assertLessThan(1.5, $took);
        $this->assertSame('1', file_get_contents($count));
    }
}
