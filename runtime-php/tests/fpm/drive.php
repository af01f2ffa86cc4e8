<?php

// The client side of scripts/test.d/46-php-fpm.sh: `php drive.php <summer URL> <dependency URL>
// <workers>`. The generated SummerClient calls the generated server under php-fpm (a result),
// then a sequence of separate HTTP requests (in batches of <workers> concurrent ones, so that
// every worker serves some) shows the breaker kept in APCu opening after 20 failed calls of
// the dependency, the dependency receiving no more calls while it is open, one probe after
// 5 s (half-open) that reopens it, and /metrics summed over the workers. Exits 1 on a failure.

declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

$gen = (string) getenv('BRIEF_PHP_GEN');
spl_autoload_register(static function (string $class) use ($gen): void {
    $prefix = 'Summer\\Generated\\';
    if (str_starts_with($class, $prefix)) {
        require "{$gen}/summer/" . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    }
});

use Brief\Runtime\Client;
use Summer\Generated\SumIn;
use Summer\Generated\SummerClient;

[, $url, $dep, $workers] = $argv;
const ROUNDS = 16;
$workers = (int) $workers;

function check(bool $ok, string $what): void
{
    echo ($ok ? 'ok   ' : 'FAIL ') . $what . "\n";
    if (!$ok) {
        exit(1);
    }
}

function calls(string $dep): int
{
    return (int) file_get_contents("{$dep}/count");
}

/**
 * POSTs sum(a, b) `$n` times concurrently; returns [status, worker pid, body] of each.
 *
 * @return list<array{int, string, string}>
 */
function batch(string $url, int $n, int $a, int $delayMs): array
{
    $mh = curl_multi_init();
    $hs = [];
    $pids = [];
    for ($i = 0; $i < $n; $i++) {
        $h = curl_init("{$url}/rpc/summer/sum");
        $pids[$i] = '';
        curl_setopt_array($h, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => json_encode(['a' => $a, 'b' => 1]),
            CURLOPT_HTTPHEADER => ['Content-Type: application/json', "X-Test-Delay-Ms: {$delayMs}", 'Expect:'],
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 10,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$pids, $i): int {
                if (stripos($line, 'x-worker-pid:') === 0) {
                    $pids[$i] = trim(substr($line, 13));
                }
                return strlen($line);
            },
        ]);
        curl_multi_add_handle($mh, $h);
        $hs[] = $h;
    }
    do {
        curl_multi_exec($mh, $running);
        curl_multi_select($mh, 0.05);
    } while ($running > 0);
    $out = [];
    foreach ($hs as $i => $h) {
        $out[] = [(int) curl_getinfo($h, CURLINFO_RESPONSE_CODE), $pids[$i], (string) curl_multi_getcontent($h)];
        curl_multi_remove_handle($mh, $h);
    }
    return $out;
}

// The generated client against the generated server under php-fpm.
$summer = new SummerClient(new Client($url, 'drive'));
$out = $summer->sum(new SumIn(0, 41));
check($out->sum === 41 && str_starts_with($out->info, 'pid '), "generated client -> php-fpm: sum = {$out->sum} ({$out->info})");
check(calls($dep) === 0, 'the dependency has not been called yet');

// The dependency is down: separate requests until well past the breaker's threshold.
$pids = [];
$seen = [];
for ($round = 0; $round < ROUNDS; $round++) {
    foreach (batch($url, $workers, 1, 20) as [$status, $pid, $body]) {
        $pids[$pid] = true;
        $e = json_decode($body)->error ?? null;
        // 504 when the dependency's 250 ms ran out first (a slow machine): also a failure.
        $failed = ($status === 500 && ($e->details->reason ?? '') === 'DEPENDENCY_FAILED')
            || ($status === 504 && ($e->code ?? '') === 'deadline_exceeded');
        check($failed, "round {$round}: {$status} {$e?->code} from worker {$pid}");
    }
    $seen[] = calls($dep);
}
echo 'dependency calls after each round: ' . implode(' ', $seen) . "\n";
$opened = $seen[count($seen) - 1];
check($opened >= 20 && $opened <= 20 + $workers - 1, "the breaker opened after 20 failed calls (+ at most the {$workers} in flight): {$opened}");
$quiet = ROUNDS - 1 - (int) array_search($opened, $seen, true);
check($quiet >= 3, "no calls reached the dependency in the last {$quiet} rounds (breaker open, shared by all workers)");
check(count($pids) >= min($workers, 2) || $workers === 1, count($pids) . " distinct fpm workers served the sequence (pm.max_children = {$workers})");

$metrics = (string) file_get_contents("{$url}/metrics");
check(str_contains($metrics, 'brief_client_breaker_state{dependency="image-storage"} 1'), '/metrics: brief_client_breaker_state{dependency="image-storage"} 1');
preg_match('/^brief_client_breaker_rejections_total\{dependency="image-storage"\} (\d+)$/m', $metrics, $m);
check((int) ($m[1] ?? 0) > 0, '/metrics: rejections summed over the workers: ' . ($m[1] ?? 'none'));
preg_match_all('/^brief_server_requests_total\{service="summer",rpc="sum",code="(?:internal|deadline_exceeded)"\} (\d+)$/m', $metrics, $m);
$failedRequests = array_sum(array_map('intval', $m[1]));
check($failedRequests === ROUNDS * $workers, "/metrics: brief_server_requests_total of the failed requests = {$failedRequests}, summed over all workers");

// Half-open after 5 s: one probe reaches the dependency, fails, and reopens the breaker.
usleep(5200000);
batch($url, 1, 1, 0);
check(calls($dep) === $opened + 1, 'after 5 s one request sends one probe: ' . calls($dep));
batch($url, $workers, 1, 20);
check(calls($dep) === $opened + 1, 'the failed probe reopened the breaker: no further calls');
