<?php

declare(strict_types=1);

use Brief\Runtime\ApcuStore;
use Brief\Runtime\Breaker;
use Brief\Runtime\MemoryStore;
use Brief\Runtime\Outcome;
use Brief\Runtime\RedisStore;
use Brief\Runtime\Store;
use Brief\Runtime\StoreMutex;
use Brief\Tests\FakeClock;
use PHPUnit\Framework\TestCase;

/**
 * The Store contract on every implementation: add-if-absent, get/set with a TTL, atomic
 * increment, delete; every key expires. RedisStore runs against a fake of the phpredis API
 * (\Redis is not installed here), which also checks that no key is ever written without a TTL.
 */
final class StoreTest extends TestCase
{
    private function contract(Store $s, ?\Closure $expire = null): void
    {
        $this->assertNull($s->get('a'));
        $this->assertTrue($s->add('a', 1, 10));
        $this->assertFalse($s->add('a', 2, 10));
        $this->assertSame(1, $s->get('a'));
        $s->set('a', ['x' => [1, 'y']], 10);
        $this->assertSame(['x' => [1, 'y']], $s->get('a'));
        $this->assertSame(3, $s->increment('n', 3, 10));
        $this->assertSame(5, $s->increment('n', 2, 10));
        $this->assertSame(4, $s->increment('n', -1, 10));
        $this->assertSame(4, $s->get('n'));
        $s->delete('a');
        $this->assertNull($s->get('a'));
        $this->assertTrue($s->add('a', 'again', 1));
        $this->assertSame('again', $s->get('a'));
        $this->assertSame(7, StoreMutex::update($s, 'm', 10, static fn (mixed $v): array => [($v ?? 0) + 1, 7]));
        $this->assertSame(1, $s->get('m'));
        $this->assertNull($s->get('m:lock'));
        if ($expire !== null) {
            $expire();
            $this->assertNull($s->get('a'));
            $this->assertNull($s->get('n'));
            $this->assertTrue($s->add('a', 'after expiry', 10));
        }
    }

    public function testMemoryStore(): void
    {
        $clock = new FakeClock(1000);
        $this->contract(new MemoryStore($clock), static function () use ($clock): void {
            $clock->ms += 11000;
        });
    }

    public function testApcuStoreSharesStateBetweenStoreObjects(): void
    {
        if (!ApcuStore::available()) {
            $this->markTestSkipped('APCu is not enabled for the CLI (run with -d apc.enable_cli=1)');
        }
        apcu_clear_cache();
        $this->contract(new ApcuStore('brief:test:'));
        $a = new ApcuStore('brief:svc-a:');
        $b = new ApcuStore('brief:svc-a:');
        $other = new ApcuStore('brief:svc-b:');
        $a->increment('k', 5, 10);
        $this->assertSame(5, $b->get('k'));
        $this->assertNull($other->get('k'), 'keys are prefixed per service');
        $info = apcu_cache_info();
        foreach ($info['cache_list'] as $entry) {
            $this->assertGreaterThan(0, $entry['ttl'], "{$entry['info']} has a TTL");
        }
        // A breaker seen through two Store objects (two fpm workers) is one breaker.
        $clock = new FakeClock();
        $w1 = new Breaker(new ApcuStore('brief:svc-a:'), 'dep', $clock);
        $w2 = new Breaker(new ApcuStore('brief:svc-a:'), 'dep', $clock);
        for ($i = 0; $i < 20; $i++) {
            ($i % 2 === 0 ? $w1 : $w2)->record((int) ($i % 2 === 0 ? $w1 : $w2)->allow(), Outcome::Failure);
        }
        $this->assertSame('open', $w1->state()->label());
        $this->assertNull($w2->allow());
    }

    public function testRedisStoreAgainstAFakePhpredisNoRedisInstalled(): void
    {
        $redis = new FakeRedis();
        $this->contract(new RedisStore($redis, 'brief:test:'), static function () use ($redis): void {
            $redis->now += 11;
        });
        foreach ($redis->data as $key => [$value, $expires]) {
            $this->assertNotNull($expires, "{$key} was written without a TTL (ganesha#72)");
        }
        $this->assertNotEmpty($redis->calls);
        foreach (array_keys($redis->data) as $key) {
            $this->assertStringStartsWith('brief:test:', $key);
        }
    }
}

/**
 * A fake of the part of phpredis's \Redis API that RedisStore uses (set with NX/EX options, get,
 * incrBy, del), with a clock in seconds. It records keys written without an expiry.
 */
final class FakeRedis
{
    /** @var array<string, array{string, int|null}> */
    public array $data = [];
    /** @var list<string> */
    public array $calls = [];
    public int $now = 0;

    public function set(string $key, string $value, array $options = []): bool
    {
        $this->calls[] = "SET {$key}";
        $this->expire();
        if (in_array('nx', $options, true) && isset($this->data[$key])) {
            return false;
        }
        $this->data[$key] = [$value, isset($options['ex']) ? $this->now + $options['ex'] : null];
        return true;
    }

    public function get(string $key): string|false
    {
        $this->expire();
        return $this->data[$key][0] ?? false;
    }

    public function incrBy(string $key, int $by): int
    {
        $this->expire();
        $v = (int) ($this->data[$key][0] ?? 0) + $by;
        $this->data[$key] = [(string) $v, $this->data[$key][1] ?? null];
        return $v;
    }

    public function del(string $key): int
    {
        $had = isset($this->data[$key]);
        unset($this->data[$key]);
        return $had ? 1 : 0;
    }

    private function expire(): void
    {
        foreach ($this->data as $k => [, $at]) {
            if ($at !== null && $at <= $this->now) {
                unset($this->data[$k]);
            }
        }
    }
}
