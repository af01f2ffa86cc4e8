<?php

// A raw TCP server for FaultTest: `php rawserver.php <port-file> <mode>` listens on 127.0.0.1
// (a free port, written to <port-file>), counts connections in <port-file>.count and, per
// connection: close (reads the request, closes without answering: the client sees the
// connection reset/closed) or hang (reads the request, never answers).

declare(strict_types=1);

[, $portFile, $mode] = $argv;
$server = stream_socket_server('tcp://127.0.0.1:0');
file_put_contents($portFile, substr(strrchr((string) stream_socket_get_name($server, false), ':'), 1));
$held = [];
$count = 0;
while (true) {
    $c = @stream_socket_accept($server, 60);
    if ($c === false) {
        continue;
    }
    file_put_contents("{$portFile}.count", (string) ++$count);
    stream_set_timeout($c, 1);
    fread($c, 65536);
    if ($mode === 'close') {
        stream_socket_shutdown($c, STREAM_SHUT_RDWR);
        fclose($c);
    } else {
        $held[] = $c;
    }
}
