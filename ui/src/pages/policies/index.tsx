// /ui/policies/(compliance|labels|self-healing|quotas|autoscalers): the policies area. Each section is its
// own URL (bookmarkable); the tabs navigate between them.
import { Tabs } from "@mantine/core";
import { IconAdjustmentsHorizontal, IconChartBar, IconHeartbeat, IconShieldCheck, IconTags } from "@tabler/icons-react";
import { Navigate, Route, Routes, useNavigate } from "react-router";
import { PageHeader } from "../../components/PageHeader";
import { useT } from "../../i18n";
import { area } from "./i18n";
import CompliancePage from "./Compliance";
import LabelsPage from "./Labels";
import SelfHealingPage from "./SelfHealing";
import QuotasPage from "./Quotas";
import AutoscalersPage from "./Autoscalers";

const SECTIONS = [
  { path: "compliance", key: "tabCompliance", icon: IconShieldCheck, element: <CompliancePage /> },
  { path: "labels", key: "tabLabels", icon: IconTags, element: <LabelsPage /> },
  { path: "self-healing", key: "tabSelfHealing", icon: IconHeartbeat, element: <SelfHealingPage /> },
  { path: "quotas", key: "tabQuotas", icon: IconChartBar, element: <QuotasPage /> },
  { path: "autoscalers", key: "tabAutoscalers", icon: IconAdjustmentsHorizontal, element: <AutoscalersPage /> },
] as const;

function Layout({ section }: { section: (typeof SECTIONS)[number]["path"] }) {
  const t = useT(area);
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Tabs
        value={section}
        onChange={(v) => v && v !== section && navigate(`/policies/${v}`)}
        keepMounted={false}
        variant="outline"
      >
        <Tabs.List aria-label={t("sections")} mb="md">
          {SECTIONS.map((s) => {
            const Icon = s.icon;
            return (
              <Tabs.Tab key={s.path} value={s.path} leftSection={<Icon size={16} aria-hidden />} data-testid={`tab-${s.path}`}>
                {t(s.key)}
              </Tabs.Tab>
            );
          })}
        </Tabs.List>
        {SECTIONS.map((s) => (
          <Tabs.Panel key={s.path} value={s.path}>
            {s.path === section ? s.element : null}
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}

export default function PoliciesArea() {
  return (
    <Routes>
      <Route index element={<Navigate to="compliance" replace />} />
      {SECTIONS.map((s) => (
        <Route key={s.path} path={s.path} element={<Layout section={s.path} />} />
      ))}
      <Route path="*" element={<Navigate to="compliance" replace />} />
    </Routes>
  );
}
