<?php

// The router script of the end-to-end test under `php -S`: the generated servers of the echo
// fixture and of golden/cases/summer with small handlers.

declare(strict_types=1);

require __DIR__ . '/bootstrap.php';

use Brief\Runtime\Context;
use Brief\Runtime\Message;
use Brief\Runtime\Rpc;
use Brief\Runtime\Server;
use Brief\Runtime\Service;
use Summer\Generated\SumIn;
use Summer\Generated\SumOut;
use Summer\Generated\SummerServer;
use Summer\Generated\UnimplementedSummerHandler;
use Wire\Generated\EchoServer;
use Wire\Generated\EmptyMessage;
use Wire\Generated\Item;
use Wire\Generated\NotFoundException;
use Wire\Generated\UnimplementedEchoHandler;

$echo = new class extends UnimplementedEchoHandler {
    public function echo(Item $in, Context $ctx): Item
    {
        return $in;
    }

    public function fail(Item $in, Context $ctx): Item
    {
        throw new NotFoundException($in->id);
    }
};
$summer = new class extends UnimplementedSummerHandler {
    public function sum(SumIn $in, Context $ctx): SumOut
    {
        return new SumOut($in->a + $in->b, "request {$ctx->requestId}");
    }
};
// A fake data bus: `publish` appends the event to $BRIEF_PHP_BUS_LOG.
$bus = new class implements Service {
    public function name(): string
    {
        return 'data-bus';
    }

    public function rpc(string $name): ?Rpc
    {
        return $name === 'publish' ? new Rpc('publish', true, 5000) : null;
    }

    public function call(string $name, \stdClass|null $input, Context $ctx): Message
    {
        file_put_contents((string) getenv('BRIEF_PHP_BUS_LOG'), json_encode($input) . "\n", FILE_APPEND);
        return new EmptyMessage();
    }
};
(new Server([new EchoServer($echo), new SummerServer($summer), $bus]))->serve();
