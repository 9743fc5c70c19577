<#
.SYNOPSIS
Installs datapilot-cleaner into a folder and registers the scheduled task "datapilot-cleanup"
(run-once every day at 03:00 UTC, from datapilot-cleanup.xml beside this script).

.EXAMPLE
.\register-task.ps1 -Jar .\datapilot-cleaner.jar -User 'CLEANHOST\svc-cleaner'
Asks for the account's password (Task Scheduler stores it to run while nobody is logged on).

.EXAMPLE
.\register-task.ps1 -Jar .\datapilot-cleaner.jar -User 'CLEANHOST\svc-cleaner' -S4U
No password stored; the run then has no network credentials (fine for a local storage root).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $Jar,
    [Parameter(Mandatory = $true)] [string] $User,
    [string] $InstallDir = (Join-Path $env:ProgramData 'datapilot-cleaner'),
    [string] $TaskName = 'datapilot-cleanup',
    [switch] $S4U
)
$ErrorActionPreference = 'Stop'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path

New-Item -ItemType Directory -Force -Path $InstallDir, (Join-Path $InstallDir 'logs') | Out-Null
Copy-Item -LiteralPath $Jar -Destination (Join-Path $InstallDir 'datapilot-cleaner.jar') -Force
Copy-Item -LiteralPath (Join-Path $here 'run-cleaner.ps1') -Destination $InstallDir -Force
$settings = Join-Path $InstallDir 'cleaner.env'
if (-not (Test-Path -LiteralPath $settings)) {
    # never overwrites settings already there
    Copy-Item -LiteralPath (Join-Path $here 'cleaner.env.example') -Destination $settings
}

# cleaner.env holds REDIS_URL's password: Administrators (S-1-5-32-544), SYSTEM (S-1-5-18) and
# the task's account only; the account may write nothing here but its logs
& icacls $InstallDir /inheritance:r /grant:r '*S-1-5-32-544:(OI)(CI)F' '*S-1-5-18:(OI)(CI)F' "${User}:(OI)(CI)RX" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls $InstallDir failed ($LASTEXITCODE)" }
& icacls (Join-Path $InstallDir 'logs') /grant:r "${User}:(OI)(CI)M" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls logs failed ($LASTEXITCODE)" }

$xml = Get-Content -LiteralPath (Join-Path $here 'datapilot-cleanup.xml') -Raw -Encoding UTF8
# the API reads the text as given: no declaration naming another encoding
$xml = $xml -replace '^\s*<\?xml[^>]*\?>', ''
$xml = $xml.Replace('@INSTALL_DIR@', [Security.SecurityElement]::Escape($InstallDir)).Replace('@USER@', [Security.SecurityElement]::Escape($User))

if ($S4U) {
    $xml = $xml.Replace('<LogonType>Password</LogonType>', '<LogonType>S4U</LogonType>')
    Register-ScheduledTask -TaskName $TaskName -Xml $xml -Force | Out-Null
} else {
    $credential = Get-Credential -UserName $User -Message "Password of $User, to run the cleaner while nobody is logged on"
    Register-ScheduledTask -TaskName $TaskName -Xml $xml -User $User `
        -Password $credential.GetNetworkCredential().Password -Force | Out-Null
}

$next = (Get-ScheduledTaskInfo -TaskName $TaskName).NextRunTime
Write-Host "Registered '$TaskName' as $User; next run $next (local time) = $($next.ToUniversalTime().ToString('u'))"
Write-Host "Settings: $settings (CLEANER_DRY_RUN=true until you have read a week of audits)"
Write-Host "The account needs Modify on LOCAL_STORAGE_ROOT: icacls <root> /grant '${User}:(OI)(CI)M'"
