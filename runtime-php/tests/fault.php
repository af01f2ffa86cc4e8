<?php

// Router script of FaultTest under `php -S`: answers POST /rpc/<scenario>/<rpc> as the scenario
// says, counting the requests of each scenario in $BRIEF_FAULT_DIR/<scenario> (GET
// /count/<scenario> reads it). Scenarios: burst<N> (N times 503 unavailable, then 200 {}),
// down (always 503), after<S> (503 with Retry-After: S once, then 200), big (a 5 MiB 200),
// bigclaim (Content-Length: 5 MiB announced, a few bytes sent), ok (200 {}).

declare(strict_types=1);

$dir = (string) getenv('BRIEF_FAULT_DIR');
$path = (string) parse_url((string) $_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (preg_match('#^/count/([a-z0-9]+)$#', $path, $m) === 1) {
    echo (int) @file_get_contents("{$dir}/{$m[1]}");
    return;
}
if (preg_match('#^/rpc/([a-z]+)([0-9]*)/[a-z]+$#', $path, $m) !== 1) {
    http_response_code(404);
    return;
}
[, $scenario, $arg] = $m;
$file = "{$dir}/{$scenario}{$arg}";
$n = (int) @file_get_contents($file) + 1;
file_put_contents($file, (string) $n);
header('Content-Type: application/json');
$unavailable = '{"error":{"code":"unavailable","message":"injected","details":{}}}';
switch ($scenario) {
    case 'burst':
        if ($n <= (int) $arg) {
            http_response_code(503);
            echo $unavailable;
            return;
        }
        echo '{}';
        return;
    case 'down':
        http_response_code(503);
        echo $unavailable;
        return;
    case 'after':
        if ($n === 1) {
            http_response_code(503);
            header("Retry-After: {$arg}");
            echo $unavailable;
            return;
        }
        echo '{}';
        return;
    case 'big':
        echo '{"padding":"' . str_repeat('x', 5 << 20) . '"}';
        return;
    case 'bigclaim':
        header('Content-Length: ' . (5 << 20));
        echo '{}';
        flush();
        return;
    default:
        echo '{}';
}
