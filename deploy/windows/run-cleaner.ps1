# Runs datapilot-cleaner once, as the scheduled task does: the settings in cleaner.env beside this
# script become environment variables of the run, stdout and stderr go to logs\, and the cleaner's
# exit code is this script's (Task Scheduler shows it as "Last Run Result": 0x0, 0x1, 0x2, 0x4, 0x4B).
$ErrorActionPreference = 'Stop'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path

$settings = Join-Path $here 'cleaner.env'
foreach ($line in Get-Content -LiteralPath $settings -Encoding UTF8) {
    if ($line.Trim() -eq '' -or $line.TrimStart().StartsWith('#')) { continue }
    $eq = $line.IndexOf('=')
    if ($eq -lt 1) {
        # as the cleaner does with a bad setting: nothing runs, exit 2
        [Console]::Error.WriteLine("cleaner.env: not KEY=VALUE: $line")
        exit 2
    }
    [Environment]::SetEnvironmentVariable($line.Substring(0, $eq).Trim(), $line.Substring($eq + 1), 'Process')
}

$java = if ($env:JAVA_HOME) { Join-Path $env:JAVA_HOME 'bin\java.exe' } else { 'java.exe' }
$jar = Join-Path $here 'datapilot-cleaner.jar'
$logs = Join-Path $here 'logs'
New-Item -ItemType Directory -Force -Path $logs | Out-Null
$log = Join-Path $logs ('cleaner-{0:yyyyMMdd-HHmmss}' -f (Get-Date).ToUniversalTime())

# Start-Process, not "& java 2>&1": Windows PowerShell turns a native program's stderr into errors
$run = Start-Process -FilePath $java -ArgumentList @('-jar', "`"$jar`"", 'run-once') -WorkingDirectory $here `
    -NoNewWindow -Wait -PassThru -RedirectStandardOutput "$log.out" -RedirectStandardError "$log.err"

# the audit files under the storage root are the record; these logs are kept 30 days
Get-ChildItem -LiteralPath $logs -Filter 'cleaner-*' |
    Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-30) } | Remove-Item -Force
exit $run.ExitCode
