#!/usr/bin/env python3
"""Source of the extension's UI strings: writes _locales/zh_TW and _locales/en messages.json.

Edit the table here and re-run (python3 extension/tools/locales.py); the JSON files are committed.
Traditional Chinese comes first; $1, $2 are Chrome's positional substitutions.
"""
import json
import pathlib

MESSAGES = {
    # key: (zh_TW, en, description)
    "extName": ("pkibridge 智慧卡網頁簽章", "pkibridge smart-card web signing", "Extension name"),
    "extDescription": (
        "以自然人憑證等 GPKI 智慧卡在網頁登入與簽章；PIN 碼只在擴充功能自己的視窗輸入，並綁定網站來源。",
        "Log in and sign on web portals with GPKI smart cards; the PIN is typed only in the extension's own window.",
        "Extension description",
    ),
    "langTag": ("zh-TW", "en", "BCP 47 tag of this locale"),
    "promptTitle": ("pkibridge 智慧卡", "pkibridge smart card", "Prompt window title"),
    "purposeSign": ("以下網站要求以您的智慧卡簽章：", "This site asks to sign with your smart card:", ""),
    "purposeLogin": ("以下網站要求以您的智慧卡登入：", "This site asks you to log in with your smart card:", ""),
    "purposeSelfTest": ("簽章自我測試：", "Signature self-test:", ""),
    "selfTestOrigin": ("pkibridge（本擴充功能）", "pkibridge (this extension)", ""),
    "promptOriginHint": (
        "請確認網址是您要使用的網站。PIN 碼只會送到讀卡機上的卡片，不會交給網站。",
        "Check that this is the site you mean to use. The PIN goes only to the card in the reader, never to the site.",
        "",
    ),
    "chooseHeading": ("請選擇憑證", "Choose a certificate", ""),
    "buttonCancel": ("取消", "Cancel", ""),
    "buttonChoose": ("使用此憑證", "Use this certificate", ""),
    "buttonOk": ("確定", "OK", ""),
    "certHolder": ("持有人", "Holder", ""),
    "certIssuer": ("發行者", "Issuer", ""),
    "certReader": ("讀卡機", "Reader", ""),
    "certValidTo": ("有效期限", "Valid until", ""),
    "certKind": ("憑證類別", "Kind", ""),
    "certUsage": ("金鑰用途", "Key usage", ""),
    "pinLabel": ("PIN 碼", "PIN", ""),
    "pinRule": ("請輸入 $1 至 $2 位數字。", "Enter $1 to $2 digits.", ""),
    "pinPadPrompt": ("請在讀卡機的按鍵上輸入 PIN 碼。", "Enter the PIN on the card reader's keypad.", ""),
    "triesLeft": ("尚可嘗試 $1 次", "$1 tries left", ""),
    "working": ("處理中，請勿移除卡片…", "Working — do not remove the card…", ""),
    "hipkiPopupTitle": ("pkibridge（HiPKI 相容）", "pkibridge (HiPKI compatible)", ""),
    "hipkiWorking": ("處理中…", "Working…", ""),
    "hipkiDone": ("完成", "Done", ""),
    "hipkiFailed": ("未完成，請看網頁上的訊息。", "Not completed; see the message on the web page.", ""),
    "hipkiNoOpener": (
        "找不到開啟此視窗的網頁（網站可能設定了 Cross-Origin-Opener-Policy: same-origin）。",
        "The page that opened this window is not reachable (the site may send Cross-Origin-Opener-Policy: same-origin).",
        "",
    ),
    "hipkiNoRequest": (
        "網站沒有送出要求。若此網站不在允許清單中，pkibridge 不會為它服務。",
        "The site sent no request. pkibridge serves only sites on its allow-list.",
        "",
    ),
    "optionsTitle": ("pkibridge 設定與診斷", "pkibridge options and diagnostics", ""),
    "buttonRefresh": ("重新整理", "Refresh", ""),
    "hostHeading": ("本機元件（native host）", "Native host", ""),
    "hostFound": ("已找到本機元件", "Native host found", ""),
    "hostMissing": ("找不到本機元件", "Native host not available", ""),
    "extensionVersion": ("擴充功能版本", "Extension version", ""),
    "extensionId": ("擴充功能 ID", "Extension ID", ""),
    "hostVersion": ("本機元件版本", "Host version", ""),
    "installHint": (
        "請安裝 pkibridge 本機元件，然後重新啟動瀏覽器：",
        "Install the pkibridge native host, then restart the browser:",
        "",
    ),
    "installWindows": (
        "執行 pkibridge 安裝程式，或匯入 manifests/windows 內的 .reg 檔。",
        "Run the pkibridge installer, or import the .reg file from manifests/windows.",
        "",
    ),
    "readersHeading": ("讀卡機與卡片", "Readers and cards", ""),
    "readerName": ("讀卡機", "Reader", ""),
    "readerCard": ("卡片", "Card", ""),
    "readerPinPad": ("PIN 鍵盤", "PIN pad", ""),
    "noReaders": ("沒有讀卡機", "No readers", ""),
    "noCard": ("未插卡", "No card", ""),
    "cardPresent": ("已插卡", "Card present", ""),
    "certificatesHeading": ("卡片上的憑證", "Certificates on the cards", ""),
    "noCertificates": ("沒有找到憑證", "No certificates found", ""),
    "originsHeading": ("允許使用的網站", "Allowed sites", ""),
    "originsHost": ("本機元件設定", "Native host configuration", ""),
    "originsManaged": ("企業政策", "Enterprise policy", ""),
    "originsEffective": ("實際允許", "In effect", ""),
    "originsHipki": ("HiPKI 相容模式啟用於", "HiPKI compatibility active on", ""),
    "notSet": ("（未設定）", "(not set)", ""),
    "none": ("（無）", "(none)", ""),
    "yes": ("有", "Yes", ""),
    "no": ("無", "No", ""),
    "selfTestHeading": ("簽章自我測試", "Signature self-test", ""),
    "selfTestHint": (
        "以卡片簽一段隨機資料，並在本機驗證簽章（需要輸入 PIN 碼）。",
        "Signs random data with the card and verifies the signature locally (asks for the PIN).",
        "",
    ),
    "buttonSelfTest": ("開始測試", "Run self-test", ""),
    "selfTestPassed": ("通過：簽章正確（$1，$2 毫秒）", "Passed: the signature is valid ($1, $2 ms)", ""),
    "selfTestBadSignature": ("失敗：簽章驗證不符", "Failed: the signature does not verify", ""),
    "selfTestFailed": ("測試未完成", "Self-test not completed", ""),
    "reportHeading": ("診斷報告", "Diagnostic report", ""),
    "reportHint": (
        "提供給客服人員。報告不含 PIN 碼、姓名、身分證字號或憑證序號。",
        "For support staff. It contains no PIN, names, ID numbers or certificate serials.",
        "",
    ),
    "buttonCopy": ("複製報告", "Copy report", ""),
    "copied": ("已複製", "Copied", ""),
    # errors (ERR_X → error_X)
    "error_BAD_REQUEST": ("要求格式錯誤", "Malformed request", ""),
    "error_TOO_LARGE": ("資料太大", "The data is too large", ""),
    "error_UNKNOWN_COMMAND": ("不支援的指令", "Unknown command", ""),
    "error_ORIGIN_NOT_ALLOWED": ("此網站未被允許使用智慧卡", "This site is not allowed to use the smart card", ""),
    "error_PCSC_UNAVAILABLE": ("讀卡機服務（PC/SC）未啟動", "The smart-card service (PC/SC) is not running", ""),
    "error_NO_READER": ("找不到讀卡機", "No card reader found", ""),
    "error_NO_CARD": ("請插入智慧卡", "Insert the smart card", ""),
    "error_CARD_REMOVED": ("卡片已被移除", "The card was removed", ""),
    "error_UNSUPPORTED_CARD": ("不支援此卡片", "This card is not supported", ""),
    "error_CERTIFICATE_NOT_FOUND": ("卡片上沒有可用的憑證", "No usable certificate on the card", ""),
    "error_CERTIFICATE_EXPIRED": ("憑證已過期", "The certificate has expired", ""),
    "error_PIN_INCORRECT": ("PIN 碼錯誤", "Wrong PIN", ""),
    "error_PIN_BLOCKED": ("PIN 碼已鎖住，請至發卡單位解鎖", "The PIN is blocked; have it unblocked by the card issuer", ""),
    "error_PIN_FORMAT": ("PIN 碼格式不正確", "The PIN has the wrong format", ""),
    "error_USER_CANCELLED": ("已取消", "Cancelled", ""),
    "error_TIMEOUT": ("等待逾時", "Timed out", ""),
    "error_BUSY": ("卡片正在處理其他要求", "The card is busy with another request", ""),
    "error_CARD_ERROR": ("卡片無法完成此操作", "The card could not complete the operation", ""),
    "error_INTERNAL": ("內部錯誤", "Internal error", ""),
    "error_HOST_NOT_FOUND": ("未安裝本機元件", "The native host is not installed", ""),
    "error_HOST_FORBIDDEN": ("本機元件不允許此擴充功能", "The native host does not allow this extension", ""),
    "error_HOST_EXITED": ("本機元件意外結束", "The native host stopped unexpectedly", ""),
    "error_EXTENSION_UNAVAILABLE": ("擴充功能未回應", "The extension did not answer", ""),
}

root = pathlib.Path(__file__).resolve().parent.parent / "_locales"
for index, locale in enumerate(["zh_TW", "en"]):
    out = {}
    for key, (zh, en, desc) in MESSAGES.items():
        entry = {"message": (zh, en)[index]}
        if desc:
            entry["description"] = desc
        out[key] = entry
    path = root / locale / "messages.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
