// The replica set rs0 of docker-compose.yml, made once; waits for the members to answer first.
const members = ['mongo1:27017', 'mongo2:27017', 'mongo3:27017'];
for (let i = 0; i < 60; i++) {
  try {
    members.forEach((m) => new Mongo(m).getDB('admin').runCommand({ ping: 1 }));
    break;
  } catch (e) {
    sleep(1000);
  }
}
try {
  rs.status();
  print('replica set rs0 already initiated');
} catch (e) {
  rs.initiate({ _id: 'rs0', members: members.map((host, i) => ({ _id: i, host })) });
  print('replica set rs0 initiated');
}
