// memlab depends on puppeteer, whose install would download a browser; these machines have no internet.
module.exports = { skipDownload: true };
