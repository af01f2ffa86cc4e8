<?php

declare(strict_types=1);

use Brief\Runtime\ApcuStore;
use Brief\Runtime\Client;
use Brief\Runtime\Context;
use Brief\Runtime\Event;
use Brief\Runtime\MemoryStore;
use Brief\Runtime\Publisher;
use Brief\Runtime\Server;
use Brief\Runtime\Store;
use Brief\Tests\FakeClock;
use Brief\Tests\ScriptedTransport;
use PHPUnit\Framework\TestCase;
use Wire\Generated\EchoConsumer;
use Wire\Generated\EchoEventHandler;
use Wire\Generated\Summer\Color;
use Wire\Generated\Summer\Item;

/**
 * golden/wire/events.json: `publish` (the request the publisher sends, through a scripted
 * transport) and every `deliveries` POST to the generated consumer (EchoConsumer of
 * tests/fixtures/wire, topic summer.summed) through Server::handle; deduplication across two
 * servers sharing one APCu store (two php-fpm workers); retries of publish on `unavailable`.
 */
final class EventsTest extends TestCase
{
    private static function load(): array
    {
        return json_decode((string) file_get_contents(__DIR__ . '/../../golden/wire/events.json'), true);
    }

    /** A handler that counts its runs and fails when told to. */
    private static function handler(): EchoEventHandler
    {
        return new class implements EchoEventHandler {
            public int $calls = 0;
            public string $next = 'ok';
            public ?\Closure $during = null;

            public function onSummerSummed(Item $m, Event $event, Context $ctx): void
            {
                $this->calls++;
                if ($this->during !== null) {
                    ($this->during)();
                }
                if ($this->next === 'fail') {
                    throw new \RuntimeException('handler failed');
                }
            }
        };
    }

    public function testDeliveries(): void
    {
        $h = self::handler();
        $server = new Server([new EchoConsumer($h)], store: new MemoryStore());
        foreach (self::load()['deliveries'] as $d) {
            $h->next = $d['handler'];
            $headers = array_change_key_case($d['headers'], CASE_LOWER);
            [$status, , $body] = $server->handle('POST', $d['path'], $headers, $d['body']);
            $x = $d['expect'];
            $this->assertSame($x['status'], $status, $d['name']);
            $this->assertSame($x['handler_calls'], $h->calls, $d['name']);
            if (isset($x['code'])) {
                $this->assertSame($x['code'], json_decode($body)->error->code, $d['name']);
            } else {
                $this->assertSame('', $body, $d['name']);
            }
        }
        $metrics = $server->handle('GET', '/metrics', [], '')[2];
        $this->assertStringContainsString('brief_events_received_total{topic="summer.summed",result="ok"} 6', $metrics);
        $this->assertStringContainsString('brief_events_received_total{topic="summer.summed",result="duplicate"} 2', $metrics);
    }

    private function event(string $id): string
    {
        return json_encode([
            'specversion' => '1.0', 'id' => $id, 'source' => 'producer', 'type' => 'summer.summed',
            'datacontenttype' => 'application/json', 'data' => ['id' => 3],
        ]);
    }

    public function testDeduplicationHoldsAcrossWorkersSharingAPCu(): void
    {
        if (!ApcuStore::available()) {
            $this->markTestSkipped('APCu is not enabled for the CLI (run with -d apc.enable_cli=1)');
        }
        $prefix = 'brief:events-' . bin2hex(random_bytes(4)) . ':';
        $h1 = self::handler();
        $h2 = self::handler();
        $w1 = new Server([new EchoConsumer($h1)], store: new ApcuStore($prefix));
        $w2 = new Server([new EchoConsumer($h2)], store: new ApcuStore($prefix));
        $ct = ['content-type' => 'application/cloudevents+json'];
        // While worker 1 runs the handler, worker 2 gets the same event: 409, not run.
        $during = null;
        $h1->during = function () use ($w2, $ct, &$during): void {
            $during = $w2->handle('POST', '/events/summer.summed', $ct, $this->event('x1'))[0];
        };
        $this->assertSame(204, $w1->handle('POST', '/events/summer.summed', $ct, $this->event('x1'))[0]);
        $this->assertSame(409, $during);
        $this->assertSame(0, $h2->calls);
        // Afterwards it is a duplicate for worker 2 as well.
        $this->assertSame(204, $w2->handle('POST', '/events/summer.summed', $ct, $this->event('x1'))[0]);
        $this->assertSame([1, 0], [$h1->calls, $h2->calls]);
    }

    private function busClient(FakeClock $clock, ScriptedTransport $t, Store $store): Client
    {
        return new Client('http://bus.test', 'summer', transport: $t, store: $store, clock: $clock, random: static fn (): float => 0.5);
    }

    public function testPublishVector(): void
    {
        $v = self::load()['publish'];
        $clock = new FakeClock();
        $t = new ScriptedTransport($clock);
        $t->script = [['status' => 200, 'body' => '{}']];
        $store = new MemoryStore();
        $publisher = new Publisher($this->busClient($clock, $t, $store), $v['service']);
        $d = $v['data'];
        $id = $publisher->publish($v['topic'], new Item($d['id'], null, $d['tags'], Color::from($d['color'])));
        $x = $v['expect'];
        $this->assertCount(1, $t->sent);
        foreach ($x['headers'] as $k => $val) {
            $this->assertSame($val, $t->sent[0][strtolower($k)], $k);
        }
        $this->assertSame('http://bus.test' . $x['path'], $t->urls[0]);
        $body = json_decode($t->bodies[0], true);
        foreach ($x['body'] as $field => $m) {
            if (isset($m['equals'])) {
                $this->assertSame($m['equals'], $body[$field], $field);
            } elseif (isset($m['matches'])) {
                $this->assertMatchesRegularExpression('/' . $m['matches'] . '/', $body[$field], $field);
            } else {
                $this->assertEquals($m['json'], $body[$field], $field);
            }
        }
        $this->assertSame($id, $body['id']);
    }

    public function testPublishIsRetriedWithTheSameEventId(): void
    {
        $clock = new FakeClock();
        $t = new ScriptedTransport($clock);
        $t->script = [
            ['status' => 503, 'body' => '{"error":{"code":"unavailable","message":"busy"}}'],
            ['status' => 200, 'body' => '{}'],
        ];
        $publisher = new Publisher($this->busClient($clock, $t, new MemoryStore()), 'summer');
        $id = $publisher->publish('summer.summed', new Item(1));
        $this->assertCount(2, $t->sent);
        $this->assertSame([$id, $id], array_map(static fn (string $b): string => json_decode($b)->id, $t->bodies));
    }
}
