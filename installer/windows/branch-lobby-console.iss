; Inno Setup 6 script of the Branch Lobby Console (网点厅堂监控台) for Windows branch PCs.
;
; Compiled by installer/build.py --setup, which passes:
;   /DAppVersion=0.1.0      the version in pyproject.toml
;   /DBundleDir=...         the PyInstaller one-folder bundle (dist\branch-lobby-console)
;   /DOutputDir=...         where branch-lobby-console-<version>-setup.exe goes
;   /DIconFile=...          the icon rendered from resources\icons\console.svg
;
; Decisions:
; - Per-user install without administrator rights (PrivilegesRequired=lowest): the program goes to
;   %LOCALAPPDATA%\Programs\Branch Lobby Console; IT may still run the setup elevated and choose "for all users".
; - The user's data (database, settings, logs, secrets, reports, snapshots) is not in the program folder but in
;   %LOCALAPPDATA%\branch-lobby-console (the console's own default, platformdirs). Upgrading keeps it; uninstalling
;   keeps it unless the user ticks "also delete my data" when asked (silent uninstalls keep it).
; - Start-menu shortcut to the window executable; an optional desktop shortcut. The command-line executable
;   (branch-lobby-console-cli.exe: models install, users, audit …) is installed beside it.

#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (installer/build.py --setup does)
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\branch-lobby-console"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

#define AppName "Branch Lobby Console"
#define AppExe "branch-lobby-console.exe"
#define DataDirName "branch-lobby-console"

[Setup]
AppId={{6F3B8E52-4C1D-4B7A-9E2F-7A1C5D0B9E41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Branch Lobby Console
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=branch-lobby-console-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
CloseApplications=yes
#ifdef IconFile
SetupIconFile={#IconFile}
#endif

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[CustomMessages]
en.DesktopIcon=Create a desktop shortcut
zh_CN.DesktopIcon=创建桌面快捷方式
en.DeleteData=Also delete your data in %1 (database, settings, logs, reports and snapshots)?%n%nChoose No to keep it for a later installation.
zh_CN.DeleteData=是否同时删除 %1 中的数据（数据库、设置、日志、报表和快照）？%n%n选择“否”则保留，以便以后重新安装时使用。

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The data directory is the console's default (%LOCALAPPDATA%\branch-lobby-console) unless BRANCH_CONSOLE_DATA_DIR
// says otherwise, as in the console itself.
function DataDir(): String;
begin
  Result := GetEnv('BRANCH_CONSOLE_DATA_DIR');
  if Result = '' then
    Result := ExpandConstant('{localappdata}\{#DataDirName}');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Dir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    Dir := DataDir();
    if DirExists(Dir) and not UninstallSilent() then
      if MsgBox(FmtMessage(CustomMessage('DeleteData'), [Dir]), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(Dir, True, True, True);
  end;
end;
