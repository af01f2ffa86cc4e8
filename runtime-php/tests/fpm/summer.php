<?php

// Front controller of scripts/test.d/46-php-fpm.sh under php-fpm behind nginx: the generated
// server of golden/cases/summer whose `sum` calls its dependency image-storage (`get`,
// @idempotent, 250 ms) when `a` is not 0, through the generated client found from
// SERVICE_IMAGE_STORAGE_URL and without passing a Context (Context::current() bounds it).
// Every response says which fpm worker served it (X-Worker-Pid); X-Test-Delay-Ms makes the
// handler sleep first, so that concurrent requests land on different workers.

declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

$gen = (string) getenv('BRIEF_PHP_GEN');
spl_autoload_register(static function (string $class) use ($gen): void {
    $prefix = 'Summer\\Generated\\';
    if (str_starts_with($class, $prefix)) {
        $file = "{$gen}/summer/" . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

use Brief\Runtime\Context;
use Brief\Runtime\Server;
use Summer\Generated\ImageStorage\GetIn;
use Summer\Generated\ImageStorage\ImageStorageClient;
use Summer\Generated\SumIn;
use Summer\Generated\SumOut;
use Summer\Generated\SummerServer;
use Summer\Generated\UnimplementedSummerHandler;

header('X-Worker-Pid: ' . getmypid());
$delay = (int) ($_SERVER['HTTP_X_TEST_DELAY_MS'] ?? 0);
$handler = new class ($delay) extends UnimplementedSummerHandler {
    public function __construct(private readonly int $delay)
    {
    }

    public function sum(SumIn $in, Context $ctx): SumOut
    {
        usleep($this->delay * 1000);
        if ($in->a !== 0) {
            ImageStorageClient::fromEnv()->get(new GetIn($in->a));
        }
        return new SumOut($in->a + $in->b, 'pid ' . getmypid());
    }
};
(new Server([new SummerServer($handler)]))->serve();
