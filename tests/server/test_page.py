"""The built-in page in a real headless Chromium (Debian's chromium and chromium-driver,
driven by selenium): it lists the model and voices, speaks, and offers the download. The
screenshot is saved to target/server-page.png."""
import os
import shutil

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ROOT


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1000,800", "--autoplay-policy=no-user-gesture-required"):
        options.add_argument(flag)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


def test_the_page_speaks_in_a_headless_browser(server):
    driver = browser()
    try:
        driver.get(server.url + "/")
        wait = WebDriverWait(driver, 30)
        wait.until(lambda d: d.find_element(By.ID, "status").text == "Ready.")
        models = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#model option")]
        voices = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#voice option")]
        assert models == ["fixture"]
        assert "Leo" in voices and "alloy" in voices
        driver.find_element(By.ID, "format").send_keys("wav")
        driver.find_element(By.ID, "play").click()
        wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("Done"))
        assert driver.find_element(By.ID, "audio").get_attribute("src").startswith("blob:")
        link = driver.find_element(By.ID, "download")
        assert link.get_attribute("download") == "speech.wav" and link.is_displayed()
        os.makedirs(os.path.join(ROOT, "target"), exist_ok=True)
        assert driver.save_screenshot(os.path.join(ROOT, "target", "server-page.png"))
        # An error is shown as the server's message.
        driver.find_element(By.ID, "text").clear()
        driver.find_element(By.ID, "play").click()
        wait.until(lambda d: "empty" in d.find_element(By.ID, "status").text)
        assert "error" in driver.find_element(By.ID, "status").get_attribute("class")
    finally:
        driver.quit()


def test_a_browser_decodes_flac_to_its_full_length(server):
    """Chromium's own FLAC decoder (Web Audio) reads the server's FLAC to exactly the PCM's
    length: the STREAMINFO carries the real total."""
    import json
    import urllib.request
    body = {"model": "tts-1", "voice": "alloy", "input": "A browser reads this FLAC in full."}
    req = urllib.request.Request(server.url + "/v1/audio/speech", method="POST",
                                 headers={"Content-Type": "application/json"},
                                 data=json.dumps({**body, "response_format": "pcm"}).encode())
    with urllib.request.urlopen(req, timeout=60) as r:
        samples = len(r.read()) // 2
    driver = browser()
    try:
        driver.get(server.url + "/")
        driver.set_script_timeout(60)
        decoded = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch('/v1/audio/speech', {method: 'POST', headers: {'Content-Type': 'application/json'},
                body: JSON.stringify(Object.assign(arguments[0], {response_format: 'flac'}))})
              .then(r => r.arrayBuffer())
              .then(bytes => new OfflineAudioContext(1, 1, 24000).decodeAudioData(bytes))
              .then(audio => done({length: audio.length, rate: audio.sampleRate}))
              .catch(e => done({error: String(e)}));
        """, body)
    finally:
        driver.quit()
    assert decoded.get("error") is None, decoded
    assert decoded == {"length": samples, "rate": 24000}, (decoded, samples)
