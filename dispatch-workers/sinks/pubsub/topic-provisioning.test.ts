import { TopicProvisioningError, provisionTopics } from './topic-provisioning';
import type { TopicAdmin } from './topic-provisioning';

class FakeAdmin implements TopicAdmin {
  readonly topics = new Set<string>();
  readonly calls: string[] = [];
  failCreate: Error | undefined;
  failExists: Error | undefined;

  async exists(topic: string) {
    this.calls.push(`exists ${topic}`);
    if (this.failExists) throw this.failExists;
    return this.topics.has(topic);
  }

  async create(topic: string) {
    this.calls.push(`create ${topic}`);
    if (this.failCreate) throw this.failCreate;
    this.topics.add(topic);
  }
}

const grpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('Pub/Sub topic provisioning (PROTOCOL.md §10.3)', () => {
  const wanted = [
    { recordType: 'V', topic: 'ns_V' },
    { recordType: 'alerts', topic: 'ns_alerts' },
  ];

  it('creates missing topics and leaves existing ones', async () => {
    const admin = new FakeAdmin();
    admin.topics.add('ns_V');
    expect(await provisionTopics(admin, wanted)).toEqual([{ recordType: 'alerts', topic: 'ns_alerts' }]);
    expect(admin.calls).toEqual(['exists ns_V', 'exists ns_alerts', 'create ns_alerts']);
    expect([...admin.topics].sort()).toEqual(['ns_V', 'ns_alerts']);
  });

  it('treats ALREADY_EXISTS (another lane created it first) as success', async () => {
    const admin = new FakeAdmin();
    admin.failCreate = grpcError(6, '6 ALREADY_EXISTS: Topic already exists');
    expect(await provisionTopics(admin, wanted)).toEqual([]);
  });

  it('fails with the topic, the record type and the cause', async () => {
    const admin = new FakeAdmin();
    admin.failCreate = grpcError(7, '7 PERMISSION_DENIED: User not authorized');
    const error = await provisionTopics(admin, wanted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopicProvisioningError);
    expect((error as TopicProvisioningError).message).toBe(
      'pubsub_topic_creation_error topic_name=ns_V txType=V: 7 PERMISSION_DENIED: User not authorized',
    );
    expect((error as TopicProvisioningError).topic).toEqual({ recordType: 'V', topic: 'ns_V' });
  });

  it('fails when the existence check fails (service unreachable)', async () => {
    const admin = new FakeAdmin();
    admin.failExists = grpcError(4, 'Total timeout of API google.pubsub.v1.Publisher exceeded 3000 milliseconds');
    await expect(provisionTopics(admin, wanted)).rejects.toThrow(/^pubsub_topic_creation_error topic_name=ns_V txType=V: Total timeout/);
  });
});
