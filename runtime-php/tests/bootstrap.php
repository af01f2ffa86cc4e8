<?php

// PHPUnit bootstrap: runtime-php and the code generated for the tests (BRIEF_PHP_GEN, written
// by scripts/test.d/45-php.sh: wire/ for tests/fixtures/wire, summer/ for golden/cases/summer).

declare(strict_types=1);

require __DIR__ . '/../autoload.php';
require __DIR__ . '/Fakes.php';
// PSR interfaces and nyholm/psr7 from the distribution's packages, when installed.
foreach (['Psr/Log', 'Psr/Http/Client', 'Psr/Http/Message', 'Nyholm/Psr7'] as $lib) {
    if (is_file("/usr/share/php/{$lib}/autoload.php")) {
        require_once "/usr/share/php/{$lib}/autoload.php";
    }
}

$gen = getenv('BRIEF_PHP_GEN') ?: sys_get_temp_dir() . '/brief-php-gen';
$roots = ['Wire\\Generated\\' => "{$gen}/wire/", 'Summer\\Generated\\' => "{$gen}/summer/"];
spl_autoload_register(static function (string $class) use ($roots): void {
    foreach ($roots as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
        }
    }
});
