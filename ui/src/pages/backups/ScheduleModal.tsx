// Create or edit a backup schedule (POST /yaml/backup/schedule creates, or updates the schedule of that name).
import {
  Autocomplete,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Stack,
  Text,
  TextInput,
  Textarea,
  UnstyledButton,
} from "@mantine/core";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { api, call, type Schemas } from "../../api/client";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { FormFooter } from "../../components/FormFooter";
import { useT } from "../../i18n";
import { common } from "../../i18n/common";
import { fieldError } from "./CreateBackupModal";
import { dict } from "./i18n";
import { notifyDone } from "../../lib/notify";
import { MONO_INPUT, looksLikeCron, parseObjectId, timeZones, type ScheduleItem, type ScheduleView } from "./util";

type Body = Schemas["ScheduleBody"];

export function ScheduleModal({
  opened,
  editing,
  onClose,
  onSaved,
}: {
  opened: boolean;
  /** the listed schedule being edited (it names one object); null: a new schedule */
  editing: ScheduleItem | null;
  onClose: () => void;
  onSaved: (view: ScheduleView) => void;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState("");
  const [resourceId, setResourceId] = useState("");
  const [resourceType, setResourceType] = useState("");
  const [typeTouched, setTypeTouched] = useState(false);
  const [cron, setCron] = useState("");
  const [tz, setTz] = useState("");
  const [days, setDays] = useState<number | string>(30);
  const [count, setCount] = useState<number | string>("");
  const [encrypt, setEncrypt] = useState(true);
  const [paused, setPaused] = useState(false);
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<{ id?: boolean; type?: boolean; cron?: string }>({});

  useEffect(() => {
    if (!opened) return;
    // Editing sends the schedule's values as listed; the object and its type stay (the id's type may be plural,
    // `1:deployments:shop:web`, which the API resolves like any id).
    setName(editing?.name ?? "");
    setResourceId(editing?.resource_id ?? "");
    setResourceType(editing?.resource_type || parseObjectId(editing?.resource_id ?? "")?.type || "");
    setTypeTouched(false);
    setCron(editing?.schedule ?? "");
    setTz(editing?.time_zone ?? "");
    setDays(editing?.retention_days ?? 30);
    setCount(editing?.retention_count ?? "");
    setEncrypt(editing?.encrypt ?? true);
    setPaused(editing ? !editing.enabled : false);
    setDescription(editing?.description ?? "");
    setError(null);
    setInvalid({});
  }, [opened, editing]);

  const changeId = (v: string) => {
    setResourceId(v);
    if (!typeTouched) setResourceType(parseObjectId(v)?.type ?? "");
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const id = resourceId.trim();
    const type = resourceType.trim();
    const c = cron.trim();
    const bad = {
      id: !id,
      type: !type,
      cron: !c ? t("cronRequired") : !looksLikeCron(c) ? t("cronInvalid") : undefined,
    };
    if (bad.id || bad.type || bad.cron) {
      setInvalid(bad);
      return;
    }
    setInvalid({});
    const body: Body = {
      resource_id: id,
      resource_type: type,
      schedule: c,
      time_zone: (tz.trim() || null) as Body["time_zone"],
      retention_days: typeof days === "number" ? days : Number(days) || 30,
      retention_count: count === "" || count === null ? null : Number(count),
      encrypt,
      paused,
      enabled: !paused,
      description: description.trim(),
      schedule_name: name.trim() || null,
      cluster_id: null,
      namespace: null,
    };
    setBusy(true);
    setError(null);
    try {
      const v = await call(api.POST("/api/k8s/yaml/backup/schedule", { body }));
      notifyDone(
        tc("success"),
        v.created ? t("scheduleCreated", { name: v.name }) : t("scheduleSaved", { name: v.name }),
        tc("close"),
      );
      onSaved(v);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const presets: [string, string][] = [
    [t("presetHourly"), "@hourly"],
    [t("presetDaily"), "0 2 * * *"],
    [t("presetWeekly"), "0 3 * * 0"],
  ];
  const editingName = editing?.name;

  return (
    <Modal
      opened={opened}
      onClose={() => !busy && onClose()}
      title={editingName ? t("scheduleTitleEdit", { name: editingName }) : t("scheduleTitleNew")}
      size="lg"
      centered
    >
      <form onSubmit={submit} noValidate data-testid="schedule-form">
        <Stack>
          <TextInput
            label={t("resourceId")}
            description={t("resourceIdHint")}
            value={resourceId}
            onChange={(e) => changeId(e.currentTarget.value)}
            error={invalid.id ? t("resourceIdRequired") : fieldError(error, "resource_id")}
            required
            readOnly={!!editingName}
            data-autofocus={!editingName || undefined}
            spellCheck={false}
            autoComplete="off"
            styles={MONO_INPUT}
          />
          <Group grow align="flex-start">
            <TextInput
              label={t("resourceType")}
              value={resourceType}
              onChange={(e) => {
                setTypeTouched(true);
                setResourceType(e.currentTarget.value);
              }}
              error={invalid.type ? t("resourceTypeRequired") : fieldError(error, "resource_type")}
              required
              readOnly={!!editingName}
              spellCheck={false}
              autoComplete="off"
            />
            <TextInput
              label={t("scheduleName")}
              description={editingName ? undefined : t("scheduleNameHint")}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(error, "schedule_name")}
              readOnly={!!editingName}
              maxLength={63}
              spellCheck={false}
              autoComplete="off"
            />
          </Group>
          <div>
            <TextInput
              label={t("cron")}
              description={t("cronHint")}
              value={cron}
              onChange={(e) => setCron(e.currentTarget.value)}
              error={invalid.cron ?? fieldError(error, "schedule")}
              required
              data-autofocus={editingName ? true : undefined}
              spellCheck={false}
              autoComplete="off"
              styles={MONO_INPUT}
              placeholder="0 2 * * *"
            />
            <Group gap="xs" mt={6} aria-label={t("presets")} role="group">
              <Text size="xs" c="dimmed">
                {t("presets")}:
              </Text>
              {presets.map(([label, value]) => (
                <UnstyledButton
                  key={value}
                  onClick={() => setCron(value)}
                  fz="xs"
                  c="blue.8"
                  style={{ textDecoration: "underline" }}
                >
                  {label} <Text span ff="monospace" fz="xs">({value})</Text>
                </UnstyledButton>
              ))}
            </Group>
          </div>
          <Autocomplete
            label={t("timeZone")}
            description={t("timeZoneHint")}
            placeholder="UTC"
            data={zones}
            value={tz}
            onChange={setTz}
            limit={50}
            error={fieldError(error, "time_zone")}
          />
          <Group grow align="flex-start">
            <NumberInput
              label={t("retentionDaysLabel")}
              value={days}
              onChange={setDays}
              min={1}
              max={3650}
              allowDecimal={false}
              error={fieldError(error, "retention_days")}
            />
            <NumberInput
              label={t("retentionCountLabel")}
              value={count}
              onChange={setCount}
              min={1}
              max={1000}
              allowDecimal={false}
              error={fieldError(error, "retention_count")}
            />
          </Group>
          <Group>
            <Checkbox label={t("encrypt")} checked={encrypt} onChange={(e) => setEncrypt(e.currentTarget.checked)} />
            <Checkbox label={t("pausedLabel")} checked={paused} onChange={(e) => setPaused(e.currentTarget.checked)} />
          </Group>
          <Textarea
            label={t("scheduleDescription")}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            maxLength={1024}
            autosize
            minRows={2}
          />
          <ApiErrorAlert error={error} />
          <FormFooter onCancel={onClose} busy={busy} submitLabel={tc("save")} submitTestId="schedule-submit" />
        </Stack>
      </form>
    </Modal>
  );
}
