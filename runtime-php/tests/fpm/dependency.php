<?php

// A dependency that is down, for scripts/test.d/46-php-fpm.sh under `php -S`: every POST is
// counted (in $BRIEF_DEP_COUNT) and answered 503 `unavailable`; GET /count reads the count.

declare(strict_types=1);

$file = (string) getenv('BRIEF_DEP_COUNT');
if (($_SERVER['REQUEST_METHOD'] ?? '') === 'GET') {
    echo (int) @file_get_contents($file);
    return;
}
$f = fopen($file, 'c+');
flock($f, LOCK_EX);
$n = (int) stream_get_contents($f) + 1;
ftruncate($f, 0);
rewind($f);
fwrite($f, (string) $n);
flock($f, LOCK_UN);
fclose($f);
http_response_code(503);
header('Content-Type: application/json');
echo '{"error":{"code":"unavailable","message":"down for the test","details":{}}}';
