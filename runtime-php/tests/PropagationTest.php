<?php

declare(strict_types=1);

use Brief\Runtime\Client;
use Brief\Runtime\Context;
use Brief\Runtime\MemoryStore;
use Brief\Runtime\Server;
use Brief\Tests\FakeClock;
use Brief\Tests\ScriptedTransport;
use PHPUnit\Framework\TestCase;
use Wire\Generated\EchoServer;
use Wire\Generated\EmptyMessage;
use Wire\Generated\Item;
use Wire\Generated\UnimplementedEchoHandler;

/**
 * An outgoing call made while serving, without passing the handler's Context on: it still gets
 * the incoming deadline (X-Request-Timeout-Ms bounds it), request id and trace context, through
 * Context::current(); outside a handler there is none.
 */
final class PropagationTest extends TestCase
{
    public function testCallsMadeWhileServingInheritTheRequest(): void
    {
        $clock = new FakeClock();
        $t = new ScriptedTransport($clock);
        $t->script = [['status' => 200, 'body' => '{}']];
        $client = new Client('http://dep.test', transport: $t, store: new MemoryStore());
        $h = new class ($client) extends UnimplementedEchoHandler {
            public function __construct(private readonly Client $client)
            {
            }

            public function echo(Item $in, Context $ctx): Item
            {
                $this->client->call('dep', new \Brief\Runtime\Rpc('get'), new EmptyMessage(), EmptyMessage::class);
                return $in;
            }
        };
        $server = new Server([new EchoServer($h)], store: new MemoryStore());
        $tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        [$status] = $server->handle('POST', '/rpc/echo/echo', [
            'content-type' => 'application/json',
            'x-request-id' => 'req-1',
            'x-request-timeout-ms' => '150',
            'traceparent' => $tp,
        ], '{}');
        $this->assertSame(200, $status);
        $sent = $t->sent[0];
        $this->assertLessThanOrEqual(150, (int) $sent['x-request-timeout-ms']);
        $this->assertGreaterThan(100, (int) $sent['x-request-timeout-ms']);
        $this->assertSame('req-1', $sent['x-request-id']);
        $this->assertSame('echo', $sent['x-source-service']);
        $this->assertStringStartsWith('00-4bf92f3577b34da6a3ce929d0e0e4736-', $sent['traceparent']);
        $this->assertNull(Context::current(), 'the current Context ends with the request');
    }
}
