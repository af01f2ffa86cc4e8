<?php

// The PHP server of the interop matrix (interop/contract) under php-fpm behind nginx: the
// generated server and consumer. `flaky` and the consumed events are counted in APCu, shared by
// the fpm workers.

declare(strict_types=1);

require __DIR__ . '/bootstrap.php';

use Brief\Runtime\BriefException;
use Brief\Runtime\Code;
use Brief\Runtime\Context;
use Brief\Runtime\Event;
use Brief\Runtime\Server;
use Matrix\Generated\AllTypes;
use Matrix\Generated\ConflictException;
use Matrix\Generated\ConsumedIn;
use Matrix\Generated\ConsumedOut;
use Matrix\Generated\DeadlineOut;
use Matrix\Generated\EmptyMessage;
use Matrix\Generated\Everything;
use Matrix\Generated\FailIn;
use Matrix\Generated\FlakyIn;
use Matrix\Generated\FlakyOut;
use Matrix\Generated\Happened;
use Matrix\Generated\Item;
use Matrix\Generated\MatrixClient;
use Matrix\Generated\MatrixConsumer;
use Matrix\Generated\MatrixEventHandler;
use Matrix\Generated\MatrixPeer\Happened as PeerHappened;
use Matrix\Generated\MatrixPublisher;
use Matrix\Generated\MatrixServer;
use Matrix\Generated\NotFoundException;
use Matrix\Generated\PublishIn;
use Matrix\Generated\RelayIn;
use Matrix\Generated\SlowIn;
use Matrix\Generated\Tree;
use Matrix\Generated\UnimplementedMatrixHandler;

/** APCu counter `$key` + 1 (created at 1). */
function matrix_count(string $key): int
{
    $n = apcu_inc($key, 1, $ok, 600);
    if ($n === false) {
        if (!apcu_add($key, 1, 600)) {
            return (int) apcu_inc($key, 1, $ok, 600);
        }
        return 1;
    }
    return (int) $n;
}

$handler = new class extends UnimplementedMatrixHandler {
    public function echoItem(Item $in, Context $ctx): Item
    {
        return $in;
    }

    public function echoEverything(Everything $in, Context $ctx): Everything
    {
        return $in;
    }

    public function echoTree(Tree $in, Context $ctx): Tree
    {
        return $in;
    }

    public function echoEmpty(EmptyMessage $in, Context $ctx): EmptyMessage
    {
        return $in;
    }

    public function echoAll(AllTypes $in, Context $ctx): AllTypes
    {
        return $in;
    }

    public function fail(FailIn $in, Context $ctx): EmptyMessage
    {
        throw match ($in->code) {
            'NotFound' => new NotFoundException($in->id),
            'Conflict' => new ConflictException("conflict {$in->id}"),
            default => new BriefException(Code::from($in->code), "failed as asked with {$in->code}"),
        };
    }

    public function slow(SlowIn $in, Context $ctx): EmptyMessage
    {
        usleep($in->ms * 1000);
        return new EmptyMessage();
    }

    public function relay(RelayIn $in, Context $ctx): DeadlineOut
    {
        return (new MatrixClient(new \Brief\Runtime\Client($in->url, 'matrix-php')))->deadline(new EmptyMessage(), $ctx);
    }

    public function deadline(EmptyMessage $in, Context $ctx): DeadlineOut
    {
        $left = $ctx->deadline === null ? -1 : (int) floor(($ctx->deadline - microtime(true)) * 1000);
        return new DeadlineOut($left, 'php');
    }

    public function flaky(FlakyIn $in, Context $ctx): FlakyOut
    {
        $n = matrix_count('matrix-flaky:' . $in->key);
        if ($n <= $in->failures) {
            throw new BriefException(Code::Unavailable, "attempt {$n} of key {$in->key} fails");
        }
        return new FlakyOut($n, 'php');
    }

    public function publish(PublishIn $in, Context $ctx): EmptyMessage
    {
        MatrixPublisher::fromEnv()->publishMatrixHappened(new Happened($in->note, 'php'), $ctx);
        return new EmptyMessage();
    }

    public function consumed(ConsumedIn $in, Context $ctx): ConsumedOut
    {
        return new ConsumedOut((int) apcu_fetch('matrix-consumed:' . $in->note), 'php');
    }
};

$events = new class implements MatrixEventHandler {
    public function onMatrixHappened(PeerHappened $m, Event $event, Context $ctx): void
    {
        matrix_count('matrix-consumed:' . $m->note);
    }
};

(new Server([new MatrixServer($handler), new MatrixConsumer($events)]))->serve();
