<?php

declare(strict_types=1);

use Brief\Runtime\Context;
use Brief\Runtime\Server;
use PHPUnit\Framework\TestCase;
use Wire\Generated\EchoServer;
use Wire\Generated\Item;
use Wire\Generated\UnimplementedEchoHandler;

/**
 * golden/wire/server.json against Server::handle with the generated server of the fixture's
 * service `echo` (its rpc `echo` returns its input).
 */
final class ServerTest extends TestCase
{
    public function testServerVectors(): void
    {
        $v = json_decode((string) file_get_contents(__DIR__ . '/../../golden/wire/server.json'), true);
        $handler = new class extends UnimplementedEchoHandler {
            public function echo(Item $in, Context $ctx): Item
            {
                return $in;
            }
        };
        $server = new Server([new EchoServer($handler)]);
        foreach ($v['cases'] as $c) {
            $name = $c['name'];
            $headers = array_change_key_case($c['headers'], CASE_LOWER);
            $body = $c['body'] ?? '';
            if (isset($c['body_whitespace_padded_to'])) {
                $body = str_repeat(' ', $c['body_whitespace_padded_to'] - 2) . '{}';
            }
            [$status, $out, $text] = $server->handle($c['method'], $c['path'], $headers, $body);
            $x = $c['expect'];
            $this->assertSame($x['status'], $status, "{$name}: {$text}");
            if (isset($x['body'])) {
                $this->assertEquals((object) $x['body'], json_decode($text), $name);
            }
            if (isset($x['code'])) {
                $this->assertSame($x['code'], json_decode($text)->error->code, $name);
            }
            if (isset($x['message_contains'])) {
                $this->assertStringContainsString($x['message_contains'], json_decode($text)->error->message, $name);
            }
            if (isset($x['content_type_prefix'])) {
                $this->assertStringStartsWith($x['content_type_prefix'], $out['Content-Type'], $name);
            }
            if (str_starts_with($c['path'], '/rpc/')) {
                $this->assertArrayHasKey('X-Request-Id', $out, $name);
            }
        }
    }
}
