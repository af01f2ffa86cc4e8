<?php

// The benchmark of scripts/bench-php.sh: calls per second through the generated client
// (EchoClient of tests/fixtures/wire: breaker, budget, metrics, codec) against bare curl with
// one reused handle sending the same request, both against the same server; prints both rates
// and their ratio. Usage: php bench.php <base URL> <calls>.

declare(strict_types=1);

require __DIR__ . '/bootstrap.php';

use Brief\Runtime\Client;
use Wire\Generated\Color;
use Wire\Generated\EchoClient;
use Wire\Generated\Item;

[, $url, $n] = $argv;
$n = (int) $n;
$item = new Item(7, 'seven', ['a', 'b'], Color::Green);

$generated = static function () use ($url, $item, $n): float {
    $c = new EchoClient(new Client($url, 'bench'));
    $t = microtime(true);
    for ($i = 0; $i < $n; $i++) {
        $out = $c->echo($item);
        if ($out->id !== 7) {
            throw new \RuntimeException('bad answer');
        }
    }
    return $n / (microtime(true) - $t);
};

$bare = static function () use ($url, $n): float {
    $h = curl_init();
    $body = json_encode(['id' => 7, 'name' => 'seven', 'tags' => ['a', 'b'], 'color' => 'green']);
    $t = microtime(true);
    for ($i = 0; $i < $n; $i++) {
        curl_setopt_array($h, [
            CURLOPT_URL => "{$url}/rpc/echo/echo",
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => [
                'Content-Type: application/json',
                'X-Request-Id: ' . bin2hex(random_bytes(16)),
                'X-Request-Timeout-Ms: 10000',
                'Expect:',
            ],
            CURLOPT_RETURNTRANSFER => true,
        ]);
        $out = json_decode((string) curl_exec($h));
        if (($out->id ?? null) !== 7) {
            throw new \RuntimeException('bad answer');
        }
    }
    return $n / (microtime(true) - $t);
};

// Warm up both, then alternate to share the machine's noise.
$generated();
$bare();
$g = [];
$b = [];
for ($round = 0; $round < 3; $round++) {
    $g[] = $generated();
    $b[] = $bare();
}
sort($g);
sort($b);
$gm = $g[1];
$bm = $b[1];
printf("generated client: %.0f calls/s\nbare curl:        %.0f calls/s\nratio:            %.2fx (target >= 0.8x)\n", $gm, $bm, $gm / $bm);
