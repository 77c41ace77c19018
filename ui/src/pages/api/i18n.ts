// The API page's words (EN + 简体中文).
import type { Dict } from "../../i18n";

export const dict = {
  en: {
    title: "API",
    description: "Every REST endpoint of the shim, from its OpenAPI document:",
    tryItOut:
      "\"Try it out\" sends real requests as you, with this session's API key: they go through the same authorization, rate limits and audit as any call, and writes change your clusters. The curl command shown leaves the key out: add -H 'X-API-Key: …' to run it elsewhere.",
    loading: "Loading the API document…",
    loadError: "The API document could not be shown",
  },
  zh: {
    title: "API",
    description: "Shim 的全部 REST 接口，来自其 OpenAPI 文档：",
    tryItOut:
      "“Try it out” 以您的身份、使用本会话的 API 密钥发送真实请求：与其他调用一样经过授权、限流和审计，写操作会修改您的集群。显示的 curl 命令不含密钥：在别处运行时请加上 -H 'X-API-Key: …'。",
    loading: "正在加载 API 文档…",
    loadError: "无法显示 API 文档",
  },
} satisfies Dict;
