<?php

// Router script for HeadersTest under `php -S`: answers every request with its headers (names
// in lower case) as a JSON object.

declare(strict_types=1);

header('Content-Type: application/json');
echo json_encode((object) array_change_key_case(getallheaders(), CASE_LOWER));
