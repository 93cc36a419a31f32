// One shared clock ticking every second while someone watches it, so every SLA countdown moves together.
import { onScopeDispose, ref } from 'vue';

const now = ref(Date.now());
let watchers = 0;
let timer: ReturnType<typeof setInterval> | null = null;

export function useNow() {
  watchers += 1;
  if (!timer) {
    now.value = Date.now();
    timer = setInterval(() => (now.value = Date.now()), 1000);
  }
  onScopeDispose(() => {
    watchers -= 1;
    if (watchers === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  });
  return now;
}
