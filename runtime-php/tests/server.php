<?php

// The router script of the end-to-end test under `php -S`: the generated servers of the echo
// fixture and of golden/cases/summer with small handlers.

declare(strict_types=1);

require __DIR__ . '/bootstrap.php';

use Brief\Runtime\Context;
use Brief\Runtime\Server;
use Summer\Generated\SumIn;
use Summer\Generated\SumOut;
use Summer\Generated\SummerServer;
use Summer\Generated\UnimplementedSummerHandler;
use Wire\Generated\EchoServer;
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
(new Server([new EchoServer($echo), new SummerServer($summer)]))->serve();
