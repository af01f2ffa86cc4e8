<?php

// A stand-in for the data bus (the real one is issue 14), for the interop stage under `php -S`:
// `publish` stores the CloudEvent in $BRIEF_BUS_LOG and delivers it, twice (a redelivery, so
// that consumers show their deduplication), to POST <subscriber>/events/<topic> of every base
// URL in $BRIEF_BUS_SUBSCRIBERS (comma-separated) with the headers of docs/protocol.md 9.3;
// each delivery's status is logged too. Answers {} once stored.

declare(strict_types=1);

$path = (string) parse_url((string) $_SERVER['REQUEST_URI'], PHP_URL_PATH);
header('Content-Type: application/json');
if ($path !== '/rpc/data-bus/publish') {
    http_response_code(501);
    echo '{"error":{"code":"unimplemented","message":"the test bus only publishes","details":{}}}';
    return;
}
$body = (string) file_get_contents('php://input');
$event = json_decode($body);
$log = (string) getenv('BRIEF_BUS_LOG');
file_put_contents($log, "event {$body}\n", FILE_APPEND);
foreach (array_filter(explode(',', (string) getenv('BRIEF_BUS_SUBSCRIBERS'))) as $sub) {
    for ($attempt = 1; $attempt <= 2; $attempt++) {
        $headers = [
            'Content-Type: application/cloudevents+json',
            'X-Request-Id: ' . bin2hex(random_bytes(16)),
            'X-Source-Service: data-bus',
            'X-Request-Timeout-Ms: 30000',
            "X-Delivery-Attempt: {$attempt}",
            'Expect:',
        ];
        if (isset($event->traceparent)) {
            $headers[] = "traceparent: {$event->traceparent}";
        }
        $h = curl_init("{$sub}/events/{$event->type}");
        curl_setopt_array($h, [
            CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30,
        ]);
        curl_exec($h);
        $status = (int) curl_getinfo($h, CURLINFO_RESPONSE_CODE);
        file_put_contents($log, "delivery {$sub} attempt {$attempt}: {$status}\n", FILE_APPEND);
    }
}
echo '{}';
