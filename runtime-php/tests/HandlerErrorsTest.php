<?php

declare(strict_types=1);

use Brief\Runtime\BriefException;
use Brief\Runtime\Client;
use Brief\Runtime\Code;
use Brief\Runtime\Context;
use Brief\Runtime\Rpc;
use Brief\Runtime\Server;
use Brief\Runtime\UndeclaredAppError;
use PHPUnit\Framework\TestCase;
use Wire\Generated\ConflictException;
use Wire\Generated\EchoServer;
use Wire\Generated\Item;
use Wire\Generated\NotFoundException;
use Wire\Generated\UnimplementedEchoHandler;

/**
 * golden/wire/errors.json `handler_errors`: what the server answers when the handler of rpc
 * `fail` (throws NotFound, Conflict) fails as described, outgoing calls included (section 4.5).
 */
final class HandlerErrorsTest extends TestCase
{
    /** @var array<string, mixed> */
    public static array $script = [];

    /** Fails as self::$script says. */
    public static function act(Context $ctx): never
    {
        $h = self::$script;
        if (isset($h['transport'])) {
            throw new BriefException(Code::from($h['transport']), $h['message'] ?? '', $h['details'] ?? []);
        }
        if (isset($h['app'])) {
            throw match ($h['app']) {
                'NotFound' => new NotFoundException($h['fields']['id'] ?? 0),
                'Conflict' => new ConflictException(),
                default => new UndeclaredAppError($h['app'], '', new \stdClass()),
            };
        }
        if (isset($h['plain']) || isset($h['panic'])) {
            throw new \RuntimeException($h['plain'] ?? $h['panic']);
        }
        if (isset($h['context'])) {
            throw new BriefException(Code::from($h['context']), 'context');
        }
        $d = $h['downstream'];
        $rpc = new Rpc('fail', false, null, [NotFoundException::class, ConflictException::class]);
        if (isset($d['status'])) {
            Client::answer($d['status'], $d['body'], $rpc);
        }
        $url = 'http://127.0.0.1:1';
        $listener = null;
        if (!empty($d['hang'])) {
            $listener = stream_socket_server('tcp://127.0.0.1:0');
            $url = 'http://' . stream_socket_get_name($listener, false);
        }
        (new Client($url))->send('dep', $rpc, '{}', $ctx);
        throw new \LogicException('the outgoing call did not fail');
    }

    public function testHandlerErrors(): void
    {
        $v = json_decode((string) file_get_contents(__DIR__ . '/../../golden/wire/errors.json'), true);
        $handler = new class extends UnimplementedEchoHandler {
            public function fail(Item $in, Context $ctx): Item
            {
                HandlerErrorsTest::act($ctx);
            }
        };
        $server = new Server([new EchoServer($handler)]);
        foreach ($v['handler_errors'] as $c) {
            self::$script = $c['handler'];
            $headers = ['content-type' => 'application/json'];
            if (isset($c['request_timeout_ms'])) {
                $headers['x-request-timeout-ms'] = (string) $c['request_timeout_ms'];
            }
            [$status, , $text] = $server->handle('POST', '/rpc/echo/fail', $headers, '{}');
            $x = $c['expect'];
            $name = $c['name'];
            $err = json_decode($text)->error;
            $this->assertSame($x['status'], $status, "{$name}: {$text}");
            $this->assertSame($x['code'], $err->code, $name);
            if (isset($x['message'])) {
                $this->assertSame($x['message'], $err->message, $name);
            }
            if (isset($x['details'])) {
                $this->assertEquals((object) $x['details'], $err->details, $name);
            }
            if (isset($x['message_excludes'])) {
                $this->assertStringNotContainsString($x['message_excludes'], $text, $name);
            }
        }
    }
}
