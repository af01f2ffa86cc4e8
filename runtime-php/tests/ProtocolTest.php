<?php

declare(strict_types=1);

use Brief\Runtime\Client;
use Brief\Runtime\Code;
use Brief\Runtime\Discovery;
use Brief\Runtime\Rpc;
use Brief\Runtime\AppError;
use Brief\Runtime\BriefException;
use Brief\Runtime\Codec;
use Brief\Runtime\UndeclaredAppError;
use PHPUnit\Framework\TestCase;

/**
 * golden/wire/errors.json (codes, status fallback) and discovery.json (variable names) against
 * the runtime.
 */
final class ProtocolTest extends TestCase
{
    private static function load(string $name): array
    {
        return json_decode((string) file_get_contents(__DIR__ . "/../../golden/wire/{$name}"), true);
    }

    public function testCodes(): void
    {
        $v = self::load('errors.json');
        foreach ($v['codes'] as $c) {
            $code = Code::from($c['code']);
            $this->assertSame($c['http_status'], $code->httpStatus(), $c['code']);
            $this->assertSame($c['retryable'], $code->isRetryable(), $c['code']);
            $this->assertSame($c['breaker_failure'], $code->isBreakerFailure(), $c['code']);
        }
        $this->assertCount(count(Code::cases()), $v['codes']);
        foreach ($v['status_fallback']['map'] as $status => $code) {
            $e = Client::errorOf((int) $status, '', new Rpc('get'));
            $this->assertInstanceOf(BriefException::class, $e);
            $this->assertSame($code, $e->errorCode->value, (string) $status);
        }
    }

    public function testDiscoveryResolve(): void
    {
        foreach (self::load('discovery.json')['resolve'] as $c) {
            putenv('SERVICE_SUMMER_URL');
            foreach ($c['env'] as $k => $val) {
                putenv("{$k}={$val}");
            }
            try {
                $url = Discovery::resolve('summer', $c['base_url'] ?? null) . '/rpc/summer/sum';
                $this->assertSame($c['expect_url'] ?? null, $url, json_encode($c));
            } catch (BriefException $e) {
                $this->assertArrayHasKey('error_contains', $c, $e->getMessage());
                $this->assertStringContainsString($c['error_contains'], $e->getMessage());
            } finally {
                foreach (array_keys($c['env']) as $k) {
                    putenv($k);
                }
            }
        }
    }

    public function testDiscoveryNames(): void
    {
        foreach (self::load('discovery.json')['env_names'] as [$name, $var]) {
            $this->assertSame($var, Discovery::envVar($name), $name);
        }
    }

    public function testClientResponses(): void
    {
        $v = self::load('errors.json');
        $rpc = new Rpc('fail', false, null, [
            \Wire\Generated\NotFoundException::class,
            \Wire\Generated\ConflictException::class,
        ]);
        foreach ($v['client_responses'] as $c) {
            $x = $c['expect'];
            $name = $c['name'];
            try {
                $out = Client::output(Client::answer($c['status'], $c['body'], $rpc), \Wire\Generated\Item::class);
                $this->assertArrayHasKey('ok', $x, $name);
                $this->assertEquals((object) $x['ok'], json_decode(Codec::encodeMessage($out)), $name);
            } catch (BriefException $e) {
                $this->assertSame($x['transport'] ?? null, $e->errorCode->value, $name);
                if (isset($x['message'])) {
                    $this->assertSame($x['message'], $e->getMessage(), $name);
                }
                if (isset($x['details'])) {
                    $this->assertEquals($x['details'], $e->details, $name);
                }
            } catch (AppError $e) {
                $this->assertSame($x['app'] ?? null, $e->errorName, $name);
                $this->assertSame($x['declared'], !$e instanceof UndeclaredAppError, $name);
                $this->assertEquals((object) $x['details'], (object) json_decode(Codec::json((object) $e->toWire()), true), $name);
            }
        }
    }
}
