<?php

// The PHP client of the interop stage (scripts/test.d/46-php-fpm.sh): the generated PHP client
// calls the generated Go server (a result, a typed application error, a timeout, a retried
// idempotent rpc) and the generated PHP publisher publishes an event through the test bus.
// Usage: php client.php <Go server URL> <bus URL> <flaky key>. Exits 1 on a failure.

declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

$gen = (string) getenv('BRIEF_PHP_GEN');
$roots = ['Interop\\Server\\' => "{$gen}/interop/", 'Interop\\Listener\\' => "{$gen}/interop-listener/"];
spl_autoload_register(static function (string $class) use ($roots): void {
    foreach ($roots as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            require $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        }
    }
});

use Brief\Runtime\BriefException;
use Brief\Runtime\Client;
use Brief\Runtime\Code;
use Brief\Runtime\Publisher;
use Interop\Listener\Interop\FlakyIn;
use Interop\Listener\Interop\GetIn;
use Interop\Listener\Interop\InteropClient;
use Interop\Listener\Interop\NotFoundException;
use Interop\Listener\Interop\SlowIn;
use Interop\Server\Happened;
use Interop\Server\InteropPublisher;

[, $url, $bus, $key] = $argv;

function check(bool $ok, string $what): void
{
    echo ($ok ? 'ok   ' : 'FAIL ') . "php client -> go: {$what}\n";
    if (!$ok) {
        exit(1);
    }
}

$c = new InteropClient(new Client($url, 'php-client'));
$item = $c->get(new GetIn(7));
check(
    $item->id === 7 && $item->name === 'go' && $item->tags === ['a', 'b']
        && $item->at->format('Y-m-d\TH:i:s') === '2026-01-02T03:04:05',
    'get(7) = ' . json_encode($item->toWire()),
);

try {
    $c->get(new GetIn(0));
    check(false, 'get(0) did not fail');
} catch (NotFoundException $e) {
    check($e->id === 0, 'get(0) is the typed NotFoundException');
}

$t = microtime(true);
try {
    $c->slow(new SlowIn(1000));
    check(false, 'slow(1000) did not fail');
} catch (BriefException $e) {
    $took = (int) ((microtime(true) - $t) * 1000);
    check($e->errorCode === Code::DeadlineExceeded && $took < 900, "slow(1000 ms) with @timeout 200ms: {$e->errorCode->value} after {$took} ms");
}

$out = $c->flaky(new FlakyIn($key, 2));
check($out->attempts === 3, "flaky(2 failures) retried: attempts = {$out->attempts}");

$p = new InteropPublisher(new Publisher(new Client($bus, 'interop'), 'interop'));
$id = $p->publishInteropHappened(new Happened(6, 'from php'));
check($id !== '', "published event {$id}");
