<?php

// Front controller of the interop stage (scripts/test.d/46-php-fpm.sh) under php-fpm behind
// nginx: the generated PHP server of runtime-php/tests/fixtures/interop and the generated
// consumer of runtime-php/tests/fixtures/interop-listener (events logged, one JSON line, to
// $PHP_EVENTS_LOG). `flaky` counts calls per key in APCu, shared by the fpm workers.

declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

$gen = (string) getenv('BRIEF_PHP_GEN');
$roots = ['Interop\\Server\\' => "{$gen}/interop/", 'Interop\\Listener\\' => "{$gen}/interop-listener/"];
spl_autoload_register(static function (string $class) use ($roots): void {
    foreach ($roots as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
        }
    }
});

use Brief\Runtime\BriefException;
use Brief\Runtime\Code;
use Brief\Runtime\Context;
use Brief\Runtime\Event;
use Brief\Runtime\Server;
use Interop\Listener\Interop\Happened;
use Interop\Listener\ListenerConsumer;
use Interop\Listener\ListenerEventHandler;
use Interop\Server\EmptyMessage;
use Interop\Server\FlakyIn;
use Interop\Server\FlakyOut;
use Interop\Server\GetIn;
use Interop\Server\InteropServer;
use Interop\Server\Item;
use Interop\Server\NotFoundException;
use Interop\Server\SlowIn;
use Interop\Server\UnimplementedInteropHandler;

$handler = new class extends UnimplementedInteropHandler {
    public function get(GetIn $in, Context $ctx): Item
    {
        if ($in->id === 0) {
            throw new NotFoundException(0);
        }
        return new Item($in->id, 'php', ['a', 'b'], new \DateTimeImmutable('2026-01-02T03:04:05Z'));
    }

    public function slow(SlowIn $in, Context $ctx): EmptyMessage
    {
        usleep($in->ms * 1000);
        return new EmptyMessage();
    }

    public function flaky(FlakyIn $in, Context $ctx): FlakyOut
    {
        $n = apcu_inc('interop-flaky:' . $in->key, 1, $ok, 600);
        if ($n === false) {
            apcu_add('interop-flaky:' . $in->key, 1, 600);
            $n = 1;
        }
        if ($n <= $in->failures) {
            throw new BriefException(Code::Unavailable, "flaky: call {$n} of key {$in->key}");
        }
        return new FlakyOut($n);
    }
};
$events = new class implements ListenerEventHandler {
    public function onInteropHappened(Happened $m, Event $event, Context $ctx): void
    {
        $line = json_encode(['id' => $m->id, 'note' => $m->note]) . "\n";
        file_put_contents((string) getenv('PHP_EVENTS_LOG'), $line, FILE_APPEND | LOCK_EX);
    }
};
(new Server([new InteropServer($handler), new ListenerConsumer($events)]))->serve();
